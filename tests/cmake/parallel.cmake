# Parallel strategies: the cpu-scaling experiment and the parallel
# benchmarks validate and run end to end, shrunk.  The
# pthreads/forkpool unit tests themselves are registered in plugins.cmake;
# scripts/tsan-check.sh runs them under ThreadSanitizer.
concur_integration_test(parallel)
