package dev.millrace.streaming.bench.jmh;

import dev.millrace.streaming.rtmp.media.MediaMessageEncoding;
import dev.millrace.streaming.core.ConnectionInfo;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.MediaSink;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.Publication;
import dev.millrace.streaming.core.Stream;
import dev.millrace.streaming.core.StreamInfo;
import dev.millrace.streaming.core.StreamOptions;
import dev.millrace.streaming.core.StreamRegistry;
import dev.millrace.streaming.core.Subscription;
import dev.millrace.streaming.core.flv.FlvMediaParser;
import dev.millrace.streaming.rtmp.chunk.ChunkEncoder;
import dev.millrace.streaming.rtmp.message.ControlMessages;
import dev.millrace.streaming.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One live stream with {@code subscribers} RTMP players, built from the production pieces: a {@link StreamRegistry}
 * with default {@link StreamOptions} but no flush window (every flush drains at once, so one operation is one
 * packet delivered to every player; the window's effect on writes is measured by the load harness), a
 * {@link Publication}, and per player the server's own {@code PlayerSink}
 * (see {@link ServerInternals}) writing into its own {@link ChunkEncoder}, whose output a {@link BenchContext}
 * releases. The player has been sent Set Chunk Size 4096 (the server's chunk size), so the encoder takes the
 * zero-copy path: this player's first-chunk header, then a retained duplicate of the chunked body built once per
 * packet and stream.
 *
 * <p>{@link #publishNext()} is one publisher step of the session: parse the next {@link SyntheticGop} message with
 * {@link FlvMediaParser} (a {@link MediaPacket} holding a slice of the message body), {@link Publication#publish},
 * {@link Publication#flush} (which schedules every subscription's drain on its executor). The drains then run on
 * the subscribers' executors: {@link Subscription} polls its queue and calls the sink, the first sink to see the
 * packet builds its RTMP chunked body, every sink writes its own header plus the shared body.
 *
 * <p>Thread use: the constructor, {@link #publishNext()}, {@link #awaitDrains()} and {@link #close()} on one
 * (benchmark) thread; the sinks on their executors.
 */
final class FanoutRig implements AutoCloseable {

    static final int CHUNK_SIZE = 4096;
    static final int MESSAGE_STREAM_ID = 1;
    private static final long AWAIT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** About 20 us of spinning before {@link #awaitDrains()} starts to yield. */
    private static final int SPINS_BEFORE_YIELD = 1000;

    private final ScheduledExecutorService[] executors;
    private final StreamRegistry registry;
    private final Publication publication;
    private final List<Subscription> subscriptions;
    private final List<CountingSink> sinks;
    /** Incremented by the last sink of each executor at the end of its drain batch. */
    private final AtomicLong batchesDone = new AtomicLong();
    private final int signallingSinks;
    private long batchesExpected;

    private final List<SyntheticGop.Message> messages = SyntheticGop.messages();
    /** The GOP's message bodies, as the chunk decoder hands them over (buffers of the channel allocator). */
    private final ByteBuf[] bodies;
    private final List<MediaPacket> parsed = new ArrayList<>(1);
    private int next;
    private long loopMillis;
    private long published;

    /**
     * Publishes the stream's metadata and sequence headers, then subscribes the players, spread round-robin over
     * {@code executors} (each executor's drains run in the order they were scheduled). Waiting for the players'
     * start-up burst is the caller's job ({@link #awaitDrains()} or running the executor).
     */
    FanoutRig(int subscribers, ScheduledExecutorService[] executors) {
        this.executors = executors.clone();
        this.registry = new StreamRegistry(StreamOptions.DEFAULT.withFlushWindowMillis(0), List.of());
        ConnectionInfo publisher = new ConnectionInfo(1, "rtmp", null, "live", "bench", Instant.now());
        this.publication = registry.publish("live", "bench", publisher, null);
        if (publication == null) {
            throw new IllegalStateException("publish refused");
        }
        bodies = new ByteBuf[messages.size()];
        for (int i = 0; i < bodies.length; i++) {
            byte[] body = messages.get(i).body();
            bodies[i] = ByteBufAllocator.DEFAULT.buffer(body.length, body.length).writeBytes(body);
        }

        // What the session publishes before the first frame: onMetaData (without @setDataFrame), sequence headers.
        byte[] setDataFrame = CommandVectors.obsSetDataFrame();
        int skip = 1 + 2 + "@setDataFrame".length(); // AMF0 2.4: marker, U16 length, UTF-8
        ByteBuf metadata = ByteBufAllocator.DEFAULT.buffer(setDataFrame.length - skip)
                .writeBytes(setDataFrame, skip, setDataFrame.length - skip);
        publication.publish(MediaPacket.data(PacketType.METADATA, 0, metadata));
        publishBody(MessageType.AUDIO, CommandVectors.hex(SyntheticGop.AAC_SEQUENCE_HEADER_HEX), 0);
        publishBody(MessageType.VIDEO, CommandVectors.hex(SyntheticGop.AVC_SEQUENCE_HEADER_HEX), 0);

        MediaMessageEncoding encoding = ServerInternals.newMediaEncoding(CHUNK_SIZE);
        Stream stream = publication.stream();
        subscriptions = new ArrayList<>(subscribers);
        sinks = new ArrayList<>(subscribers);
        int lastSinkOfAnExecutor = Math.max(0, subscribers - executors.length);
        for (int i = 0; i < subscribers; i++) {
            ChunkEncoder encoder = new ChunkEncoder();
            BenchContext socket = BenchContext.discarding(ByteBufAllocator.DEFAULT);
            BenchContext session = BenchContext.writingTo(ByteBufAllocator.DEFAULT, encoder, socket);
            // The session announces the server's chunk size before playing (RtmpSession.onConnect).
            session.write(ControlMessages.setChunkSize(ByteBufAllocator.DEFAULT, CHUNK_SIZE), session.voidPromise());
            MediaSink player = ServerInternals.newPlayerSink(session, MESSAGE_STREAM_ID, encoding);
            CountingSink sink = new CountingSink(player, socket, i >= lastSinkOfAnExecutor ? batchesDone : null);
            Subscription s = stream.subscribe(sink, this.executors[i % executors.length], null);
            if (s == null) {
                throw new IllegalStateException("subscribe refused");
            }
            subscriptions.add(s);
            sinks.add(sink);
        }
        signallingSinks = Math.min(subscribers, executors.length);
        // The start-up burst (metadata and sequence headers) is one drain batch per subscriber.
        batchesExpected = signallingSinks;
    }

    private void publishBody(int typeId, byte[] body, long dts90k) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(body.length).writeBytes(body);
        try {
            FlvMediaParser.Result r = typeId == MessageType.VIDEO
                    ? FlvMediaParser.parseVideo(buf, dts90k, parsed)
                    : FlvMediaParser.parseAudio(buf, dts90k, parsed);
            if (r != FlvMediaParser.Result.OK) {
                throw new IllegalStateException("parser said " + r);
            }
        } finally {
            buf.release();
        }
        publishParsed();
    }

    private void publishParsed() {
        for (int i = 0; i < parsed.size(); i++) {
            publication.publish(parsed.get(i));
        }
        parsed.clear();
    }

    /** Publishes the next message of the looping GOP and flushes: one publisher step. */
    void publishNext() {
        SyntheticGop.Message m = messages.get(next);
        long dts90k = (loopMillis + m.timestampMillis()) * MediaPacket.TICKS_PER_MILLI;
        FlvMediaParser.Result r = m.typeId() == MessageType.VIDEO
                ? FlvMediaParser.parseVideo(bodies[next], dts90k, parsed)
                : FlvMediaParser.parseAudio(bodies[next], dts90k, parsed);
        if (r != FlvMediaParser.Result.OK) {
            throw new IllegalStateException("parser said " + r);
        }
        publishParsed();
        publication.flush();
        published++;
        batchesExpected += signallingSinks;
        if (++next == messages.size()) {
            next = 0;
            loopMillis += SyntheticGop.GOP_MILLIS;
        }
    }

    /**
     * Waits until every subscriber has finished the drain batches scheduled so far; with one packet published per
     * call of {@link #publishNext()}, until every subscriber has written it. Relies on each executor running its
     * drains in the order they were scheduled: the last subscriber of an executor finishing means all of that
     * executor's subscribers did. Spins first (a short fan-out completes within microseconds), then yields its CPU
     * between checks, so that on a machine with few cores the waiting thread does not starve the drain threads.
     */
    void awaitDrains() {
        long expected = batchesExpected;
        int spins = 0;
        long deadline = 0;
        while (batchesDone.get() < expected) {
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
            if ((spins & 0xFFFF) == 0) {
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + AWAIT_TIMEOUT_NANOS;
                } else if (now - deadline > 0) {
                    throw new IllegalStateException("subscribers did not drain within 30 s: " + batchesDone.get()
                            + " of " + expected + " batches");
                }
            }
        }
    }

    /** Packets published by {@link #publishNext()}. */
    long published() {
        return published;
    }

    List<CountingSink> sinks() {
        return sinks;
    }

    /**
     * Unsubscribes everyone and ends the publication. The caller then lets the executors run what that queued
     * (the subscriptions release their queues there) before shutting them down.
     */
    @Override
    public void close() {
        for (Subscription s : subscriptions) {
            s.close();
        }
        publication.close();
        registry.close();
        for (ByteBuf body : bodies) {
            body.release();
        }
    }

    /**
     * A player sink that counts what went through it and, if it is the last subscriber of its executor, signals
     * the end of each drain batch.
     */
    static final class CountingSink implements MediaSink {
        private final MediaSink player;
        /** Where this player's encoder writes: its count is what reached the "socket". */
        final BenchContext socket;
        private final AtomicLong batchesDone;
        /** Packets handed to the player, written on its executor only. */
        long packets;

        CountingSink(MediaSink player, BenchContext socket, AtomicLong batchesDone) {
            this.player = player;
            this.socket = socket;
            this.batchesDone = batchesDone;
        }

        @Override
        public void onPacket(MediaPacket packet) {
            player.onPacket(packet);
            packets++;
        }

        @Override
        public void onBatchEnd() {
            player.onBatchEnd();
            if (batchesDone != null) {
                batchesDone.incrementAndGet();
            }
        }

        @Override
        public boolean isWritable() {
            return player.isWritable();
        }

        @Override
        public void onPublish(StreamInfo stream) {
            player.onPublish(stream);
        }

        @Override
        public void onUnpublish(StreamInfo stream) {
            player.onUnpublish(stream);
        }

        @Override
        public void onClose(Subscription.CloseReason reason) {
            player.onClose(reason);
        }
    }
}
