/**
 * JMH micro-benchmarks of the hot paths: inbound chunk decoding ({@link
 * dev.millrace.streaming.bench.jmh.ChunkDecodeBenchmark}), outbound chunk encoding ({@link
 * dev.millrace.streaming.bench.jmh.ChunkEncodeBenchmark}), AMF0 commands ({@link
 * dev.millrace.streaming.bench.jmh.Amf0Benchmark}), the fan-out of one packet to N players ({@link
 * dev.millrace.streaming.bench.jmh.FanoutBenchmark}) and FLV tag writing ({@link
 * dev.millrace.streaming.bench.jmh.FlvTagWriteBenchmark}).
 *
 * <p>All inputs derive from one synthetic 600 kbps H.264 + AAC stream ({@link
 * dev.millrace.streaming.bench.jmh.SyntheticGop}) and from real publishers' commands ({@link
 * dev.millrace.streaming.bench.jmh.CommandVectors}). Handlers run against a minimal context ({@link
 * dev.millrace.streaming.bench.jmh.BenchContext}) on Netty threads ({@link
 * dev.millrace.streaming.bench.jmh.NettyThreadExecutor}), with Netty's default allocator, as on the server.
 *
 * <p>{@code benchmarks/run-jmh.sh} builds and runs them all with {@code -prof gc} through {@link
 * dev.millrace.streaming.bench.jmh.JmhMain}, which prints a compact table; {@link
 * dev.millrace.streaming.bench.jmh.AllocationSites} names the allocation sites from a JFR recording.
 */
package dev.millrace.streaming.bench.jmh;
