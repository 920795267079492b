// Options for jemalloc, which the executables link when it is installed (CMakeLists.txt); with
// glibc's malloc nothing reads this symbol.
//
// Transparent huge pages for the heap: a simulation allocates hundreds of thousands of small
// SimGrid objects (links, constraints, actions) and walks them in no particular order, so with
// 4 KiB pages much of the time went to page faults and TLB misses. bench/run_bench.py on a
// 2-core machine (medians of 3; "before" run with MALLOC_CONF=thp:default,metadata_thp:disabled):
// all-reduce of 1 GiB on 16,384 GPUs 0.76 -> 0.45 s, scenarios/bench/16k-gpu.yaml 2.8 -> 2.1 s,
// scenarios/1024gpu.yaml 0.37 -> 0.31 s, 65,536-GPU topology 5.6 -> 4.3 s, for a larger peak
// (16K run: 162 -> 234 MiB). MALLOC_CONF in the environment still overrides it.
extern "C" {
const char* malloc_conf = "thp:always,metadata_thp:always";
}
