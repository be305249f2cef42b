/**
 * The RTMP chunk stream (Adobe RTMP 1.0 section 5.3 and the protocol control messages of 5.4.1 and 5.4.2):
 * {@link dev.millrace.streaming.rtmp.chunk.ChunkDecoder} reassembles inbound chunks into
 * {@link dev.millrace.streaming.rtmp.message.RtmpMessage}s under {@link dev.millrace.streaming.rtmp.RtmpLimits};
 * {@link dev.millrace.streaming.rtmp.chunk.ChunkEncoder} chunks outbound messages.
 *
 * <p>Encode once, send to N: {@link dev.millrace.streaming.rtmp.chunk.ChunkedBody} chunks a message's data once
 * per stream; each receiver writes a {@link dev.millrace.streaming.rtmp.chunk.PreChunkedMessage} holding a
 * retained duplicate of it, and its encoder adds only its own first-chunk header.
 *
 * <p>Both handlers hold per-connection state and run on the connection's event loop; neither is sharable.
 * Header state is kept per chunk stream id in each direction (RTMP 5.3.1.2), never per message type.
 */
package dev.millrace.streaming.rtmp.chunk;
