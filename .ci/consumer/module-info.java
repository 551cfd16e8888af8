/** A throwaway module that uses spead4j as a library on the module path. */
module consumer {
    requires io.spead4j;
}
