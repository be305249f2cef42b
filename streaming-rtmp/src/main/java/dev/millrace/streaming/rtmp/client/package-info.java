/**
 * The RTMP client behind {@link dev.millrace.streaming.rtmp.RtmpClient}: connect to any RTMP server, publish
 * {@link dev.millrace.streaming.core.MediaPacket}s to it ({@link dev.millrace.streaming.rtmp.client.RtmpPublisher})
 * or play a stream from it ({@link dev.millrace.streaming.rtmp.client.RtmpPlayer} with a
 * {@link dev.millrace.streaming.rtmp.client.PlayListener}).
 *
 * <p>It speaks as OBS does (RTMP-FIELD-GUIDE §8), which every ingest platform accepts: a plain handshake, Set Chunk
 * Size before {@code connect}, {@code releaseStream}, {@code FCPublish} and {@code createStream} pipelined, then
 * {@code publish} on the message stream {@code createStream} returned, and no media before
 * {@code NetStream.Publish.Start}. It reuses the server's layers: the handshake handler, the chunk codec, the AMF and
 * command codecs, and the FLV tag body parser and writer of streaming-core.
 *
 * <p>Threading: each connection lives on one event loop. Futures complete, and listeners are called, on it; code
 * that runs there must not block. Everything public may be called from any thread.
 *
 * <p>{@link dev.millrace.streaming.rtmp.client.ClientConfig} and
 * {@link dev.millrace.streaming.rtmp.client.ClientConnector} are public only for {@code RtmpClient}; they are not
 * part of the API.
 */
package dev.millrace.streaming.rtmp.client;
