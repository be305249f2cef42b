/**
 * The RTMP load harness: {@link dev.millrace.streaming.bench.load.LoadHarness} publishes synthetic or replayed
 * streams to any RTMP server on this machine, plays them with many players in one JVM, and reports latency, time to
 * first frame, throughput, stalls and the server's CPU and memory
 * ({@link dev.millrace.streaming.bench.load.ProcessSampler}) as a TSV row, JSON and a summary.
 */
package dev.millrace.streaming.bench.load;
