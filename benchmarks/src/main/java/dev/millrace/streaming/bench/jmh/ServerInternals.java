package dev.millrace.streaming.bench.jmh;

import dev.millrace.streaming.core.MediaSink;
import io.netty.channel.ChannelHandlerContext;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;

/**
 * Creates the server's own player sink and media encoding, which are package-private in
 * {@code dev.millrace.streaming.rtmp.server}, so the fan-out benchmark measures the production code and not a copy
 * of it. Reflection runs once at setup; afterwards the sink is called through the public {@link MediaSink}
 * interface. A change of those constructors fails the benchmark's setup (and the benchmark module's tests) with the
 * name of what is missing.
 */
final class ServerInternals {

    private static final String PACKAGE = "dev.millrace.streaming.rtmp.server.";

    private ServerInternals() {
    }

    /** {@code new RtmpMediaEncoding(chunkSize)}: one per server, shared by all its players. */
    static Object newMediaEncoding(int chunkSize) {
        try {
            Constructor<?> c = Class.forName(PACKAGE + "RtmpMediaEncoding").getDeclaredConstructor(int.class);
            c.setAccessible(true);
            return c.newInstance(chunkSize);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("RtmpMediaEncoding(int) is not there any more", e);
        }
    }

    /**
     * {@code new PlayerSink(ctx, messageStreamId, encoding, PlayerCapabilities.LEGACY, false)}: a player that declared
     * no codecs (FFmpeg, VLC, OBS), attached to a stream that is publishing. Its writes go to {@code ctx}.
     */
    static MediaSink newPlayerSink(ChannelHandlerContext ctx, int messageStreamId, Object encoding) {
        try {
            Class<?> capabilities = Class.forName(PACKAGE + "PlayerCapabilities");
            Field legacy = capabilities.getDeclaredField("LEGACY");
            legacy.setAccessible(true);
            Constructor<?> c = Class.forName(PACKAGE + "PlayerSink").getDeclaredConstructor(
                    ChannelHandlerContext.class, int.class, encoding.getClass(), capabilities, boolean.class);
            c.setAccessible(true);
            return (MediaSink) c.newInstance(ctx, messageStreamId, encoding, legacy.get(null), false);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("PlayerSink(ChannelHandlerContext, int, RtmpMediaEncoding, "
                    + "PlayerCapabilities, boolean) or PlayerCapabilities.LEGACY is not there any more", e);
        }
    }
}
