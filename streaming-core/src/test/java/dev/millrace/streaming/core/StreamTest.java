package dev.millrace.streaming.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StreamTest {

    private static final int MS = MediaPacket.TICKS_PER_MILLI;

    private ScheduledExecutorService sinkThread;
    private StreamRegistry registry;

    @BeforeEach
    void setUp() {
        sinkThread = Executors.newSingleThreadScheduledExecutor();
        // No flush window: every flush delivers at once, so the tests can check deliveries right after a flush;
        // the window has tests of its own.
        registry = new StreamRegistry(StreamOptions.DEFAULT.withFlushWindowMillis(0), List.of());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        registry.close();
        sinkThread.shutdown();
        assertThat(sinkThread.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    static MediaPacket video(long ms, boolean key) {
        return MediaPacket.video(Codec.H264, PacketType.FRAME, 0, ms * MS, 0, key, false,
                Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, (byte) (key ? 0x65 : 0x41)}));
    }

    static MediaPacket audio(long ms) {
        return MediaPacket.audio(Codec.AAC, PacketType.FRAME, 0, ms * MS, 0, Unpooled.wrappedBuffer(new byte[] {1, 2}));
    }

    static MediaPacket videoHeader() {
        return MediaPacket.video(Codec.H264, PacketType.SEQUENCE_HEADER, 0, 0, 0, true, false,
                Unpooled.wrappedBuffer(new byte[] {1, 0x64, 0, 0x1f}));
    }

    static MediaPacket audioHeader() {
        return MediaPacket.audio(Codec.AAC, PacketType.SEQUENCE_HEADER, 0, 0, 0,
                Unpooled.wrappedBuffer(new byte[] {0x12, 0x10}));
    }

    /** Records what it receives as short strings, on the sink thread. */
    static final class RecordingSink implements MediaSink {
        final List<String> got = new ArrayList<>();
        final List<Long> dts = new ArrayList<>();
        volatile boolean writable = true;
        volatile Subscription.CloseReason closed;
        final CountDownLatch closedLatch = new CountDownLatch(1);

        @Override
        public void onPacket(MediaPacket p) {
            String s = p.kind() + (p.type() == PacketType.FRAME ? "" : "-" + p.type())
                    + (p.kind() == MediaKind.VIDEO && p.type() == PacketType.FRAME && p.isKeyframe() ? "-key" : "");
            synchronized (this) {
                got.add(s);
                dts.add(p.dtsMillis());
            }
        }

        @Override
        public boolean isWritable() {
            return writable;
        }

        @Override
        public void onUnpublish(StreamInfo stream) {
            synchronized (this) {
                got.add("UNPUBLISHED");
            }
        }

        @Override
        public void onClose(Subscription.CloseReason reason) {
            closed = reason;
            closedLatch.countDown();
        }

        synchronized List<String> snapshot() {
            return new ArrayList<>(got);
        }

        synchronized List<Long> dtsSnapshot() {
            return new ArrayList<>(dts);
        }
    }

    private void awaitSinkThread() throws Exception {
        // Drains are queued on the single sink thread; a task queued after them runs after them.
        sinkThread.submit(() -> { }).get(5, TimeUnit.SECONDS);
        sinkThread.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void lateJoinerStartsWithHeadersThenTheLastKeyframe() throws Exception {
        Publication pub = registry.publish("live", "a", null, null);
        pub.publish(audioHeader());
        pub.publish(videoHeader());
        pub.publish(video(0, true));
        pub.publish(audio(10));
        pub.publish(video(33, false));
        pub.publish(video(66, true));
        pub.publish(audio(70));
        pub.publish(video(100, false));
        pub.flush();

        RecordingSink sink = new RecordingSink();
        Subscription sub = registry.find("live", "a").subscribe(sink, sinkThread, null);
        awaitSinkThread();

        assertThat(sink.snapshot()).containsExactly("AUDIO-SEQUENCE_HEADER", "VIDEO-SEQUENCE_HEADER", "VIDEO-key",
                "AUDIO", "VIDEO");
        assertThat(sink.dtsSnapshot()).containsExactly(0L, 0L, 66L, 70L, 100L);

        pub.publish(audio(110));
        pub.flush();
        awaitSinkThread();
        assertThat(sink.snapshot()).endsWith("AUDIO");
        sub.close();
        pub.close();
    }

    /** A sink thread that records the delay of every task handed to it (0 for {@code execute}). */
    static final class RecordingExecutor extends ScheduledThreadPoolExecutor {
        final List<Long> delaysNanos = Collections.synchronizedList(new ArrayList<>());

        RecordingExecutor() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delaysNanos.add(unit.toNanos(delay));
            return super.schedule(command, delay, unit);
        }
    }

    @Test
    void withAFlushWindowAudioWaitsForTheNextVideoFrameAndGoesOutWithIt() throws Exception {
        long windowMillis = 10_000;
        StreamRegistry windowed = new StreamRegistry(StreamOptions.DEFAULT.withFlushWindowMillis(windowMillis),
                List.of());
        RecordingExecutor executor = new RecordingExecutor();
        try {
            Publication pub = windowed.publish("live", "a", null, null);
            pub.publish(videoHeader());
            pub.publish(video(0, true));
            pub.flush();
            RecordingSink sink = new RecordingSink();
            windowed.find("live", "a").subscribe(sink, executor, null);
            executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertThat(sink.snapshot()).as("the start-up burst goes out at once")
                    .containsExactly("VIDEO-SEQUENCE_HEADER", "VIDEO-key");

            // Within the window of that drain: audio waits, under one timer for the window's end.
            executor.delaysNanos.clear();
            pub.publish(audio(10));
            pub.flush();
            pub.publish(audio(31));
            pub.flush();
            executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertThat(sink.snapshot()).as("audio alone waits").hasSize(2);
            assertThat(executor.delaysNanos).hasSize(2); // the timer, then the submit
            assertThat(executor.delaysNanos.get(0)).as("one timer for two flushes, at the window's end")
                    .isBetween(TimeUnit.MILLISECONDS.toNanos(windowMillis - 5_000),
                            TimeUnit.MILLISECONDS.toNanos(windowMillis));

            // The next video frame takes the queued audio with it at once.
            pub.publish(video(33, false));
            pub.flush();
            executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertThat(sink.snapshot()).containsExactly("VIDEO-SEQUENCE_HEADER", "VIDEO-key", "AUDIO", "AUDIO",
                    "VIDEO");
            pub.close();
        } finally {
            windowed.close();
            executor.shutdownNow();
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void withAFlushWindowAudioAloneGoesOutAtOnceAfterAQuietSpellAndByTheWindowsEndOtherwise() throws Exception {
        long windowMillis = 50;
        StreamRegistry windowed = new StreamRegistry(StreamOptions.DEFAULT.withFlushWindowMillis(windowMillis),
                List.of());
        RecordingExecutor executor = new RecordingExecutor();
        try {
            Publication pub = windowed.publish("live", "a", null, null);
            pub.publish(audioHeader());
            RecordingSink sink = new RecordingSink();
            windowed.find("live", "a").subscribe(sink, executor, null);
            executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
            Thread.sleep(2 * windowMillis); // the last drain is now longer ago than the window

            executor.delaysNanos.clear();
            pub.publish(audio(0));
            pub.flush();
            executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertThat(executor.delaysNanos).as("drained at once, then the submit").containsExactly(0L, 0L);
            assertThat(sink.snapshot()).containsExactly("AUDIO-SEQUENCE_HEADER", "AUDIO");

            // Right after that drain, with no video to wait for: the timer delivers it.
            pub.publish(audio(21));
            pub.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sink.snapshot().size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(sink.snapshot()).containsExactly("AUDIO-SEQUENCE_HEADER", "AUDIO", "AUDIO");
            pub.close();
        } finally {
            windowed.close();
            executor.shutdownNow();
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void everySubscriberGetsEveryPacketInOrder() throws Exception {
        Publication pub = registry.publish("live", "a", null, null);
        pub.publish(videoHeader());
        Stream stream = registry.find("live", "a");
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingSink s = new RecordingSink();
            sinks.add(s);
            stream.subscribe(s, sinkThread, null);
        }
        for (int i = 0; i < 100; i++) {
            pub.publish(video(i * 33L, i % 30 == 0));
            if (i % 7 == 0) {
                pub.flush();
            }
        }
        pub.flush();
        awaitSinkThread();
        for (RecordingSink s : sinks) {
            List<Long> dts = s.dtsSnapshot();
            assertThat(dts).hasSize(101);
            for (int i = 1; i < dts.size(); i++) {
                assertThat(dts.get(i)).isEqualTo((i - 1) * 33L);
            }
        }
        pub.close();
    }

    @Test
    void slowSubscriberSkipsToTheNextKeyframeAndOthersAreUnaffected() throws Exception {
        registry.close();
        registry = new StreamRegistry(StreamOptions.DEFAULT.withSlowSubscriber(1100, 1_000, 60_000), List.of());
        Publication pub = registry.publish("live", "a", null, null);
        pub.publish(videoHeader());
        Stream stream = registry.find("live", "a");
        RecordingSink slow = new RecordingSink();
        RecordingSink fast = new RecordingSink();
        slow.writable = false;
        Subscription slowSub = stream.subscribe(slow, sinkThread, null);
        stream.subscribe(fast, sinkThread, null);

        // 3 s of 30 fps video, keyframe every second; the slow sink takes nothing. Waiting for the sink thread
        // after each frame stands in for real time: a fast sink keeps up.
        for (int i = 0; i < 90; i++) {
            pub.publish(video(i * 33L, i % 30 == 0));
            pub.flush();
            sinkThread.submit(() -> { }).get(5, TimeUnit.SECONDS);
        }
        awaitSinkThread();
        assertThat(fast.dtsSnapshot()).hasSize(91);
        assertThat(slow.snapshot()).isEmpty();
        assertThat(slowSub.droppedPackets()).isPositive();

        // It recovers: the first frame it gets after the header is a keyframe, and it is at the live edge.
        slow.writable = true;
        sinkThread.execute(slowSub::resume);
        awaitSinkThread();
        List<String> got = slow.snapshot();
        assertThat(got.get(0)).isEqualTo("VIDEO-SEQUENCE_HEADER");
        assertThat(got.get(1)).isEqualTo("VIDEO-key");
        assertThat(slow.dtsSnapshot().get(1)).isGreaterThanOrEqualTo(1980L);
        assertThat(stream.info().stats().droppedPackets()).isPositive();
        pub.close();
    }

    @Test
    void subscriberThatStaysBehindIsClosed() throws Exception {
        registry.close();
        registry = new StreamRegistry(StreamOptions.DEFAULT.withSlowSubscriber(1100, 200, 50), List.of());
        Publication pub = registry.publish("live", "a", null, null);
        Stream stream = registry.find("live", "a");
        RecordingSink stuck = new RecordingSink();
        stuck.writable = false;
        stream.subscribe(stuck, sinkThread, null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; stuck.closed == null && System.nanoTime() < deadline; i++) {
            pub.publish(video(i * 33L, i % 30 == 0));
            pub.flush();
            stuck.closedLatch.await(5, TimeUnit.MILLISECONDS);
        }
        assertThat(stuck.closedLatch.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stuck.closed).isEqualTo(Subscription.CloseReason.SLOW_CONSUMER);
        assertThat(stream.viewers()).isZero();
        assertThat(stream.info().stats().slowViewersClosed()).isEqualTo(1);
        pub.close();
    }

    @Test
    void takeoverKeepsSubscribersOnOneContinuousTimeline() throws Exception {
        AtomicBoolean firstKicked = new AtomicBoolean();
        Publication first = registry.publish("live", "a", null, () -> firstKicked.set(true));
        first.publish(videoHeader());
        first.publish(video(5000, true));
        first.publish(video(5033, false));
        first.flush();
        RecordingSink sink = new RecordingSink();
        registry.find("live", "a").subscribe(sink, sinkThread, null);

        // The encoder reconnects and restarts its clock at 0.
        Publication second = registry.publish("live", "a", null, null);
        assertThat(firstKicked).isTrue();
        assertThat(first.isActive()).isFalse();
        assertThat(first.publish(video(5066, false))).isFalse();
        second.publish(videoHeader());
        second.publish(video(0, true));
        second.publish(video(33, false));
        second.flush();
        awaitSinkThread();

        assertThat(sink.snapshot()).containsExactly("VIDEO-SEQUENCE_HEADER", "VIDEO-key", "VIDEO",
                "VIDEO-SEQUENCE_HEADER", "VIDEO-key", "VIDEO");
        assertThat(sink.dtsSnapshot()).containsExactly(0L, 5000L, 5033L, 0L, 5034L, 5067L);
        second.close();
    }

    @Test
    void rejectPolicyRefusesASecondPublisher() {
        registry.close();
        registry = new StreamRegistry(StreamOptions.DEFAULT.withTakeoverPolicy(TakeoverPolicy.REJECT), List.of());
        Publication first = registry.publish("live", "a", null, null);
        assertThat(registry.publish("live", "a", null, null)).isNull();
        assertThat(first.isActive()).isTrue();
        first.close();
        assertThat(registry.publish("live", "a", null, null)).isNotNull();
    }

    @Test
    void unpublishReachesSubscribersAndIdleStreamsAreDropped() throws Exception {
        Publication pub = registry.publish("live", "a", null, null);
        pub.publish(video(0, true));
        RecordingSink sink = new RecordingSink();
        Subscription sub = registry.find("live", "a").subscribe(sink, sinkThread, null);
        pub.close();
        awaitSinkThread();
        assertThat(sink.snapshot()).endsWith("UNPUBLISHED");
        assertThat(registry.find("live", "a")).isNotNull();
        sub.close();
        awaitSinkThread();
        assertThat(registry.find("live", "a")).isNull();
    }

    @Test
    void gopLongerThanTheCacheIsNotKept() throws Exception {
        registry.close();
        registry = new StreamRegistry(StreamOptions.DEFAULT.withGopCache(10, 1 << 20), List.of());
        Publication pub = registry.publish("live", "a", null, null);
        pub.publish(videoHeader());
        for (int i = 0; i < 20; i++) {
            pub.publish(video(i * 33L, i == 0));
        }
        RecordingSink sink = new RecordingSink();
        registry.find("live", "a").subscribe(sink, sinkThread, null);
        awaitSinkThread();
        assertThat(sink.snapshot()).containsExactly("VIDEO-SEQUENCE_HEADER");
        pub.close();
    }

    @Test
    void listenerEventsArriveInOrderAndAThrowingListenerHarmsNothing() throws Exception {
        registry.close();
        List<String> events = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger throwingCalls = new AtomicInteger();
        StreamListener throwing = new StreamListener() {
            @Override
            public void onPublishStart(StreamInfo stream) {
                throwingCalls.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }
        };
        StreamListener recording = new StreamListener() {
            @Override
            public void onPublishStart(StreamInfo s) {
                events.add("publishStart " + s.path());
            }

            @Override
            public void onPlayStart(StreamInfo s, ConnectionInfo viewer) {
                events.add("playStart " + viewer.id());
            }

            @Override
            public void onPlayStop(StreamInfo s, ConnectionInfo viewer) {
                events.add("playStop " + viewer.id());
            }

            @Override
            public void onPublishStop(StreamInfo s) {
                events.add("publishStop " + s.path());
                done.countDown();
            }
        };
        registry = new StreamRegistry(StreamOptions.DEFAULT, List.of(throwing, recording));
        Publication pub = registry.publish("live", "a", null, null);
        ConnectionInfo viewer = new ConnectionInfo(7, "test", null, "live", "", java.time.Instant.now());
        Subscription sub = registry.find("live", "a").subscribe(new RecordingSink(), sinkThread, viewer);
        sub.close();
        pub.close();
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(events).containsExactly("publishStart live/a", "playStart 7", "playStop 7", "publishStop live/a");
        assertThat(throwingCalls).hasValue(1);
    }
}
