// Options for jemalloc, which the executables link when it is installed (CMakeLists.txt); with
// glibc's malloc nothing reads this symbol.
//
// Transparent huge pages for the heap: a simulation allocates hundreds of thousands of small
// SimGrid objects (links, constraints, actions) and walks them in no particular order, so with
// 4 KiB pages much of the time went to page faults and TLB misses. Measured with
// bench/run_bench.py's cases on a 2-core machine: all-reduce of 1 GiB on 16,384 GPUs 0.72 ->
// 0.34 s, scenarios/bench/16k-gpu.yaml 2.8 -> 2.2 s, scenarios/1024gpu.yaml 0.36 -> 0.28 s, for
// a larger peak (16K run: 166 -> 242 MiB). MALLOC_CONF in the environment still overrides it.
extern "C" {
const char* malloc_conf = "thp:always,metadata_thp:always";
}
