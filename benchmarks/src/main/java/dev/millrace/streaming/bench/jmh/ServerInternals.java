package dev.millrace.streaming.bench.jmh;

import dev.millrace.streaming.core.MediaSink;
import dev.millrace.streaming.rtmp.media.MediaMessageEncoding;
import io.netty.channel.ChannelHandlerContext;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;

/**
 * Creates the server's own player sink, which is package-private in
 * {@code dev.millrace.streaming.rtmp.server}, so the fan-out benchmark measures the production code and not a copy
 * of it. Reflection runs once at setup; afterwards the sink is called through the public {@link MediaSink}
 * interface. A change of those constructors fails the benchmark's setup (and the benchmark module's tests) with the
 * name of what is missing.
 */
final class ServerInternals {

    private static final String PACKAGE = "dev.millrace.streaming.rtmp.server.";

    private ServerInternals() {
    }

    /** The encoding a server with this chunk size shares between all its players. */
    static MediaMessageEncoding newMediaEncoding(int chunkSize) {
        return MediaMessageEncoding.forPlayers(chunkSize);
    }

    /**
     * {@code new PlayerSink(ctx, messageStreamId, encoding, PlayerCapabilities.LEGACY, false)}: a player that declared
     * no codecs (FFmpeg, VLC, OBS), attached to a stream that is publishing. Its writes go to {@code ctx}.
     */
    static MediaSink newPlayerSink(ChannelHandlerContext ctx, int messageStreamId, MediaMessageEncoding encoding) {
        try {
            Class<?> capabilities = Class.forName(PACKAGE + "PlayerCapabilities");
            Field legacy = capabilities.getDeclaredField("LEGACY");
            legacy.setAccessible(true);
            Constructor<?> c = Class.forName(PACKAGE + "PlayerSink").getDeclaredConstructor(
                    ChannelHandlerContext.class, int.class, encoding.getClass(), capabilities, boolean.class);
            c.setAccessible(true);
            return (MediaSink) c.newInstance(ctx, messageStreamId, encoding, legacy.get(null), false);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("PlayerSink(ChannelHandlerContext, int, MediaMessageEncoding, "
                    + "PlayerCapabilities, boolean) or PlayerCapabilities.LEGACY is not there any more", e);
        }
    }
}
