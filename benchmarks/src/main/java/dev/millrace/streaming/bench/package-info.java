/**
 * Benchmarks: JMH micro-benchmarks of the hot paths ({@code jmh} package), the RTMP load harness and the
 * side-by-side comparison with other RTMP servers.
 */
package dev.millrace.streaming.bench;
