package io.spead4j.net;

import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The file readers' rejection log: the first few rejections one by one at debug, then only a summary. */
class RejectLogTest {
    /** A logger that records its messages, with every level enabled. */
    static final class RecordingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        final transient List<String> messages = new ArrayList<>();
        final transient List<Level> levels = new ArrayList<>();

        RecordingLogger() {
            this.name = "recording";
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                Throwable t) {
            levels.add(level);
            messages.add(MessageFormatter.basicArrayFormat(pattern, args));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }

    @Test
    void aThousandRejectionsGiveElevenDebugLines() {
        RecordingLogger logger = new RecordingLogger();
        RejectLog log = new RejectLog(logger, "capture.pcapng");
        for (int i = 0; i < 1000; i++) {
            log.reject("packet does not have required items");
        }
        log.summarise();
        assertThat(log.count()).isEqualTo(1000);
        assertThat(logger.levels).hasSize(RejectLog.DETAILED + 1).containsOnly(Level.DEBUG);
        assertThat(logger.messages.getFirst())
                .isEqualTo("capture.pcapng: packet rejected: packet does not have required items");
        assertThat(logger.messages.get(RejectLog.DETAILED - 1))
                .endsWith("(further rejections are only counted)");
        assertThat(logger.messages.getLast())
                .isEqualTo("capture.pcapng: 1000 packets rejected in all (990 not logged individually)");
    }

    @Test
    void fewRejectionsNeedNoSummary() {
        RecordingLogger logger = new RecordingLogger();
        RejectLog log = new RejectLog(logger, "x");
        log.reject("a");
        log.reject("b");
        log.summarise();
        assertThat(logger.messages).containsExactly("x: packet rejected: a", "x: packet rejected: b");
    }
}
