#!/usr/bin/env bash
# Checks spead4j-core as a library, the way another project uses it (issue 19's acceptance):
#  - `./mvnw install` puts the core jar, its sources jar and its javadoc jar in a local Maven repository;
#  - `jar --describe-module` on the core jar lists exactly the exported packages (io.spead4j.net not among them);
#  - a throwaway Maven project outside the repository, on the module path, compiles against the installed
#    spead4j-core and sends and receives a heap (in-process and over loopback UDP, native access enabled for
#    io.spead4j, the ThreadPool's native support found through the module's `provides`);
#  - a second one does the same on the class path;
#  - a module that requires io.spead4j and uses a type of io.spead4j.net fails to compile, for that reason.
# Run by .ci/run after the verify. It installs into a temporary local repository that reads everything else
# (plugins, slf4j) from ~/.m2 (Maven's maven.repo.local.tail), so ~/.m2 is left as it was. The install may
# download the install plugin (into the temporary repository) if ~/.m2 lacks it; the throwaway projects are
# built offline from what the verify downloaded. Needs only a JDK 25 (JAVA_HOME or .ci/find-jdk25).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_dir=$PWD
JAVA_HOME=$(.ci/find-jdk25)
export JAVA_HOME
user_repo=${SPEAD4J_USER_REPO:-$HOME/.m2/repository}
work=$(mktemp -d "${TMPDIR:-/tmp}/spead4j-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
local_repo="$work/m2"

fail() { echo "consumer-check: FAILED: $*" >&2; exit 1; }
say() { echo "consumer-check: $*"; }

# the versions the build uses (the first <version> of the parent pom is the project's)
version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)
slf4j_version=$(sed -n 's:.*<slf4j.version>\(.*\)</slf4j.version>.*:\1:p' pom.xml)
compiler_version=$(sed -n '/<artifactId>maven-compiler-plugin<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p}' pom.xml)
[ -n "$version" ] && [ -n "$slf4j_version" ] && [ -n "$compiler_version" ] \
  || fail "cannot read the versions from pom.xml ($version, $slf4j_version, $compiler_version)"

mvn_temp_repo() {
  "$repo_dir/mvnw" -B -q -Dmaven.repo.local="$local_repo" -Dmaven.repo.local.tail="$user_repo" "$@"
}
mvn_offline() {
  mvn_temp_repo -o "$@"
}

say "installing spead4j-parent and spead4j-core $version into $local_repo"
mvn_temp_repo install -Dmaven.test.skip=true -pl :spead4j-parent,:spead4j-core >"$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; fail "./mvnw install"; }
installed="$local_repo/io/spead4j/spead4j-core/$version"
core_jar="$installed/spead4j-core-$version.jar"
for f in "$core_jar" "$installed/spead4j-core-$version-sources.jar" "$installed/spead4j-core-$version-javadoc.jar"; do
  [ -f "$f" ] || fail "install did not put $(basename "$f") in the local repository"
done
slf4j_jar="$user_repo/org/slf4j/slf4j-api/$slf4j_version/slf4j-api-$slf4j_version.jar"
[ -f "$slf4j_jar" ] || fail "$slf4j_jar is missing"

say "jar --describe-module lists exactly the exported packages"
"$JAVA_HOME/bin/jar" --describe-module --file "$core_jar" >"$work/describe.txt"
exports=$(grep -E '^(qualified )?exports ' "$work/describe.txt" | sort | tr '\n' ' ')
[ "$exports" = "exports io.spead4j exports io.spead4j.recv exports io.spead4j.send exports io.spead4j.wire " ] \
  || { cat "$work/describe.txt" >&2; fail "the exported packages are: $exports"; }
grep -qx 'contains io.spead4j.net' "$work/describe.txt" || fail "io.spead4j.net is not in the jar as a concealed package"
grep -q '^provides io.spead4j.ThreadPool$NativeSupport with io.spead4j.net.NativeThreadSupport' "$work/describe.txt" \
  || fail "the module does not provide its native thread support"
if "$JAVA_HOME/bin/jar" --list --file "$installed/spead4j-core-$version-javadoc.jar" | grep -q 'io/spead4j/net/'; then
  fail "the javadoc jar documents the internal package io.spead4j.net"
fi

# make_project NAME FILE... : a throwaway Maven project depending on the installed spead4j-core
make_project() {
  local name=$1; shift
  mkdir -p "$work/$name/src/main/java/consumer"
  sed -e "s/@ARTIFACT@/$name/" -e "s/@VERSION@/$version/" -e "s/@COMPILER_VERSION@/$compiler_version/" \
    .ci/consumer/pom.xml >"$work/$name/pom.xml"
  local f
  for f in "$@"; do
    case $f in
      module-info.java) cp ".ci/consumer/$f" "$work/$name/src/main/java/" ;;
      *) cp ".ci/consumer/$f" "$work/$name/src/main/java/consumer/" ;;
    esac
  done
}

# run_and_check NAME EXPECTED_MODULE JAVA_ARGS... : runs consumer.Main, checks what it printed
run_and_check() {
  local name=$1 module=$2; shift 2
  (cd "$work/$name" && timeout 300 "$JAVA_HOME/bin/java" "$@") >"$work/$name.out" 2>"$work/$name.err" \
    || { cat "$work/$name.out" "$work/$name.err" >&2; fail "the $name consumer failed"; }
  local loops=false
  if [ "$(uname -s)" = Linux ] && { [ "$(uname -m)" = x86_64 ] || [ "$(uname -m)" = aarch64 ]; }; then loops=true; fi
  cat >"$work/$name.expected" <<EXPECTED
consumer module: $module
spead4j module: ${module/consumer/io.spead4j}
spead4j version: $version
inproc: heap 1 timestamp 1234567 data 12 elements, last 11
event loops: $loops
udp: heap 1 timestamp 1234567 data 12 elements, last 11
EXPECTED
  diff -u "$work/$name.expected" "$work/$name.out" >&2 || { cat "$work/$name.err" >&2; fail "the $name consumer printed something else"; }
  if grep -qi 'restricted method\|native access' "$work/$name.err"; then
    cat "$work/$name.err" >&2; fail "the $name consumer ran without native access for spead4j"
  fi
  say "$name consumer: sent and received a heap in-process and over UDP (event loops: $loops)"
}

say "a module requiring io.spead4j, on the module path"
make_project modular module-info.java Main.java
(cd "$work/modular" && mvn_offline compile) >"$work/modular.log" 2>&1 || { cat "$work/modular.log" >&2; fail "the modular consumer does not compile"; }
run_and_check modular consumer --enable-native-access=io.spead4j \
  --module-path "target/classes:$core_jar:$slf4j_jar" --module consumer/consumer.Main

say "the same program on the class path"
make_project classpath Main.java
(cd "$work/classpath" && mvn_offline compile) >"$work/classpath.log" 2>&1 || { cat "$work/classpath.log" >&2; fail "the class-path consumer does not compile"; }
run_and_check classpath unnamed --enable-native-access=ALL-UNNAMED \
  -cp "target/classes:$core_jar:$slf4j_jar" consumer.Main

say "a module requiring io.spead4j cannot use io.spead4j.net"
make_project internal module-info.java Main.java UsesNet.java
if (cd "$work/internal" && mvn_offline compile) >"$work/internal.log" 2>&1; then
  fail "a module using io.spead4j.net.PcapWriter compiled: io.spead4j.net is exported"
fi
grep -q 'package io.spead4j.net is not visible' "$work/internal.log" \
  && grep -q 'which does not export it' "$work/internal.log" \
  || { cat "$work/internal.log" >&2; fail "the internal consumer failed for another reason than io.spead4j.net"; }
say "OK"
