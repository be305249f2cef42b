package dev.millrace.streaming.rtmp.amf;

import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.bytes;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.read3;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.readAll;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.refusedAmf0;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.refusedAmf3;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Every limit of the readers, and hostile inputs that must fail fast, cheaply and with BAD_AMF only. */
class AmfLimitsTest {

    /** Default limits: depth 32, strings 64 KiB, 16384 elements. */
    private final Amf0Reader reader = Amf0Reader.of(RtmpLimits.DEFAULT);

    // ------------------------------------------------------------------------------------------------- depth

    @Test
    void refusesADepthBombOfThousandsOfNestedObjectsQuicklyAndCheaply() {
        String bomb = "03 0001 61".repeat(5000) + "05";               // {a: {a: {a: ... null}}}, 5000 deep
        assertThat(refusedCheaply(reader, bytes(bomb))).hasMessageContaining("deeper than maxAmfDepth 32");
        String arrays = "0a 00000001".repeat(5000) + "05";            // [[[ ... null]]], 5000 deep
        assertThat(refusedCheaply(reader, bytes(arrays))).hasMessageContaining("deeper than maxAmfDepth 32");
        String amf3 = "11" + "09 03 01".repeat(5000) + "01";          // AMF3 [[[ ... null]]]
        assertThat(refusedCheaply(reader, bytes(amf3))).hasMessageContaining("deeper than maxAmfDepth 32");
    }

    @Test
    void acceptsNestingAtMaxDepthAndRefusesOneLevelMore() {
        Amf0Reader depth3 = new Amf0Reader(3, 1024, 100);
        assertThat(readAll(depth3, "03 0001 61".repeat(3) + "05")).hasSize(1);
        refusedAmf0(depth3, "03 0001 61".repeat(4) + "05");
        assertThat(readAll(depth3, "08 00000000 0001 61 0a 00000001 10 0001 54 0001 61 05")).hasSize(1); // 3 kinds
        refusedAmf0(depth3, "08 00000000 0001 61 0a 00000001 10 0001 54 0001 61 03 000009");
        assertThat(readAll(depth3, "03 0001 61 11 09 03 01 0a 0b 01 01")).hasSize(1);  // AMF0 object, AMF3 array, object
        refusedAmf0(depth3, "03 0001 61 11 09 03 01 0a 0b 01 03 61 0d 01 00 01");     // and an AMF3 vector: 4
        Amf3Reader amf3depth3 = new Amf3Reader(3, 1024, 100);
        assertThat(read3(amf3depth3, "09 03 01".repeat(3) + "01")).isEqualTo(List.of(List.of(
                java.util.Collections.singletonList(null))));
        refusedAmf3(amf3depth3, "09 03 01".repeat(4) + "01");
    }

    @Test
    void readsNestingAtTheDepthCeilingOnAOneMebibyteStackAndRefusesOneLevelMore() throws InterruptedException {
        int ceiling = Amf0Reader.MAX_DEPTH_CEILING;
        Amf0Reader deepest = new Amf0Reader(ceiling, 1024, 1 << 20);
        Amf3Reader deepest3 = new Amf3Reader(ceiling, 1024, 1 << 20);
        // A Netty event loop thread has the default stack; 1 MiB is the JVM default on 64-bit Linux.
        runOnStack(1 << 20, () -> {
            byte[] objects = bytes("03 0001 61".repeat(ceiling) + "05");
            for (int i = 0; i < 200; i++) { // long enough for the JIT to compile the descent: its frames differ
                ByteBuf in = Unpooled.wrappedBuffer(objects);
                try {
                    assertThat(deepest.readAll(in)).hasSize(1);
                } finally {
                    in.release();
                }
            }
            assertThat(refusedAmf0(deepest, "03 0001 61".repeat(ceiling + 1) + "05"))
                    .hasMessageContaining("deeper than maxAmfDepth " + ceiling);
            assertThat(readAll(deepest, "10 0001 54 0001 61".repeat(ceiling) + "05")).hasSize(1);
            assertThat(readAll(deepest, "03 0001 61".repeat(ceiling / 2) + "11" + "09 03 01".repeat(ceiling / 2)
                    + "01")).hasSize(1);
            assertThat(read3(deepest3, "0a 0b 01 03 61".repeat(ceiling) + "01" + "01".repeat(ceiling))).isNotNull();
            assertThat(refusedAmf3(deepest3, "09 03 01".repeat(ceiling + 1) + "01"))
                    .hasMessageContaining("deeper than maxAmfDepth " + ceiling);
            Object value = readAll(deepest, "0a 00000001".repeat(ceiling) + "05").get(0);
            assertThat(AmfTestSupport.written(value)).hasSize(ceiling * 10 + 2);
            assertThat(AmfMetadata.sanitizeForPlayers(
                    (AmfObject) readAll(deepest, "03 0001 61".repeat(ceiling) + "05").get(0))).isNotNull();
        });
    }

    @Test
    void refusesDepthLimitsOutsideOneToTheCeilingAndNonPositiveLimits() {
        int ceiling = Amf0Reader.MAX_DEPTH_CEILING;
        assertThatThrownBy(() -> new Amf0Reader(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Amf0Reader(ceiling + 1, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDepth must be 1.." + ceiling);
        assertThatThrownBy(() -> new Amf3Reader(ceiling + 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Amf0Reader(1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Amf0Reader(1, 1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------------ strings

    @Test
    void refusesALongStringDeclaringFourGibibytesWithThreeBytesPresent() {
        String input = "0c ffffffff 616263";                          // AMF0 2.14: U32 length 2^32-1, then "abc"
        assertThat(refusedCheaply(reader, bytes(input)))
                .hasMessageContaining("declares 4294967295 bytes, more than maxAmfStringBytes 65536");
        // Without a string limit in the way, the readable bytes still bound the declared length.
        Amf0Reader unbounded = new Amf0Reader(32, Integer.MAX_VALUE, 16384);
        assertThat(refusedCheaply(unbounded, bytes("0c 7fffffff 616263")))
                .hasMessageContaining("truncated AMF0 long string: declares 2147483647 bytes, 3 present");
        assertThat(refusedCheaply(unbounded, bytes("0f 7fffffff 3c3e")))  // the same for an XML document
                .hasMessageContaining("truncated AMF0 XML document: declares 2147483647 bytes, 2 present");
    }

    @Test
    void refusesStringsLongerThanMaxStringBytesEvenWhenAllTheirBytesArePresent() {
        Amf0Reader four = new Amf0Reader(8, 4, 100);
        assertThat(readAll(four, "02 0004" + utf8("live"))).containsExactly("live");
        assertThat(refusedAmf0(four, "02 0005" + utf8("lives"))).hasMessageContaining("maxAmfStringBytes 4");
        assertThat(refusedAmf0(four, "03 0005" + utf8("lives") + "05 000009"))   // a property name
                .hasMessageContaining("AMF0 property name declares 5 bytes");
        assertThat(refusedAmf0(four, "10 0005" + utf8("Items") + "000009"))      // a class name
                .hasMessageContaining("class name declares 5 bytes");
        assertThat(refusedAmf0(four, "11 06 0b" + utf8("lives"))).hasMessageContaining("AMF3 string declares 5");
        assertThat(refusedAmf0(four, "11 0c 0b 0102030405")).hasMessageContaining("AMF3 byte array declares 5");
        assertThat(refusedAmf0(four, "11 07 0b" + utf8("<a/>x"))).hasMessageContaining("AMF3 XML declares 5");
    }

    // ----------------------------------------------------------------------------------------------- elements

    @Test
    void refusesAStrictArrayDeclaring2Pow31ElementsWithoutAllocatingForThem() {
        String input = "0a 80000000 05 05 05";                        // AMF0 2.12: U32 count 2^31, 3 bytes
        assertThat(refusedCheaply(reader, bytes(input)))
                .hasMessageContaining("declares 2147483648 elements, more than maxAmfElements 16384 allows");
        // Without an element limit in the way, the readable bytes still bound the declared count.
        Amf0Reader unbounded = new Amf0Reader(32, 1024, Integer.MAX_VALUE);
        assertThat(refusedCheaply(unbounded, bytes("0a 40000000 05 05 05")))
                .hasMessageContaining("truncated AMF0 strict array: declares 1073741824 elements, 3 bytes left");
    }

    @Test
    void refusesAmf3CountsBeyondTheElementsOrBytesLeft() {
        // 3.11 array, U29A-value 2^29 - 1: 2^28 - 1 dense values
        assertThat(refusedCheaply(reader, bytes("11 09 ff ff ff ff 01")))
                .hasMessageContaining("AMF3 array declares 268435455 elements");
        // 3.15 int vector, U29V-value 0x400001: 2^21 elements, then the fixed flag
        assertThat(refusedCheaply(reader, bytes("11 0d 81 80 80 01 00")))
                .hasMessageContaining("AMF3 int vector declares 2097152 elements");
        Amf3Reader roomy = new Amf3Reader(32, 1024, Integer.MAX_VALUE);
        assertThat(refusedAmf3(roomy, "0d 09 00 00000001 00000002"))  // 4 ints need 16 bytes, 8 present
                .hasMessageContaining("truncated AMF3 int vector: declares 4 elements, 8 bytes left");
        // 3.12 object, U29O-traits with 1000 sealed names (1000 << 4 | 3 = 0x3e83), class "", no names present
        assertThat(refusedAmf3(roomy, "0a fd 03 01"))
                .hasMessageContaining("AMF3 sealed member names: declares 1000 elements, 0 bytes left");
    }

    @Test
    void countsEveryValueOfTheMessageAgainstMaxElements() {
        Amf0Reader ten = new Amf0Reader(8, 64, 10);
        assertThat(readAll(ten, "0a 00000009" + "05".repeat(9))).hasSize(1);       // 1 array + 9 values
        assertThat(refusedAmf0(ten, "0a 0000000a" + "05".repeat(10)))
                .hasMessageContaining("declares 10 elements, more than maxAmfElements 10 allows");
        assertThat(readAll(ten, "03" + "0001 61 05".repeat(9) + "000009")).hasSize(1);
        assertThat(refusedAmf0(ten, "03" + "0001 61 05".repeat(10) + "000009"))
                .hasMessageContaining("more than maxAmfElements 10 values");
        assertThat(readAll(ten, "05".repeat(10))).hasSize(10);                       // across the message
        refusedAmf0(ten, "05".repeat(11));
        assertThat(readAll(ten, "11 0d 11 00" + "00000000".repeat(8))).hasSize(1);   // vector elements count
        refusedAmf0(ten, "11 0d 15 00" + "00000000".repeat(10));
    }

    // --------------------------------------------------------------------------------------------- references

    @Test
    void refusesAmf0ReferencesThatWouldInflateTheValuePastMaxElements() {
        // Object i holds two references to object i-1: 17 bytes each that would name 3 * 2^i - 1 values.
        assertThat(refusedCheaply(reader, bytes(doublingChain(24)))).hasMessageContaining("expands past maxAmfElements");
        // The same shape, shallow enough, is accepted: 1524 values in all.
        assertThat(readAll(reader, doublingChain(8))).hasSize(9);
    }

    /** AMF0 objects 0..last: object 0 is {a: 1.0}, object i is {a: ref(i-1), b: ref(i-1)}. */
    private static String doublingChain(int last) {
        StringBuilder input = new StringBuilder("03 0001 61 00 3ff0000000000000 000009");
        for (int i = 1; i <= last; i++) {
            String previous = String.format("%04x", i - 1);
            input.append(" 03 0001 61 07").append(previous).append(" 0001 62 07").append(previous).append(" 000009");
        }
        return input.toString();
    }

    @Test
    void refusesAmf0ReferencesThatWouldNestPastMaxDepth() {
        String twentyDeep = "03 0001 61".repeat(20) + "05" + "000009".repeat(20); // table [0] is its outermost
        String referAt12 = "03 0001 61".repeat(12) + "07 0000" + "000009".repeat(12);
        String referAt13 = "03 0001 61".repeat(13) + "07 0000" + "000009".repeat(13);
        assertThat(readAll(reader, twentyDeep + referAt12)).hasSize(2);              // 12 + 20 = 32 levels
        assertThat(refusedAmf0(reader, twentyDeep + referAt13))                      // 33 levels
                .hasMessageContaining("nests deeper than maxAmfDepth 32");
    }

    @Test
    void refusesAmf3StringReferencesThatWouldInflateTheValuePastTwiceTheInputSize() {
        String input = "11 09 8f 51 01"                               // AMF3 array, U29A 1000 << 1 | 1 (2 bytes)
                + "06 87 a9 41" + "61".repeat(60000)                  //   string, U29S 60000 << 1 | 1 (3 bytes)
                + "06 00".repeat(999);                                //   999 references to it: 60 MB of text
        assertThat(refusedCheaply(reader, bytes(input))).hasMessageContaining("references expand the value");
        assertThat(readAll(reader, "11 09 05 01 06 87 a9 41" + "61".repeat(60000) + "06 00")).hasSize(1);
    }

    @Test
    void refusesAmf3TraitsReferencesThatWouldInflateTheValue() {
        String input = "11 09 15 01"                                  // AMF3 array of 10 dense values
                + "0a 13 01 83 d4 61" + "6b".repeat(30000) + "01"    //   object, 1 sealed name of 30000 bytes: null
                + "0a 01 01".repeat(9);                               //   9 objects by traits reference: null
        assertThat(refusedCheaply(reader, bytes(input))).hasMessageContaining("references expand the value");
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /**
     * Asserts BAD_AMF for {@code readAll(input)}, within 2 s and 1 MiB of allocation on this thread. The input is
     * an unpooled heap buffer: the leak detector does not track it, so its access records do not count.
     */
    private static RtmpProtocolException refusedCheaply(Amf0Reader reader, byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        try {
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            Throwable e = catchThrowable(() -> reader.readAll(in));
            long elapsedNanos = System.nanoTime() - start;
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            assertThat(e).isInstanceOf(RtmpProtocolException.class);
            assertThat(((RtmpProtocolException) e).reason()).isEqualTo(RtmpProtocolException.Reason.BAD_AMF);
            assertThat(allocated).as("bytes allocated").isLessThan(1 << 20);
            assertThat(elapsedNanos).as("nanoseconds").isLessThan(TimeUnit.SECONDS.toNanos(2));
            return (RtmpProtocolException) e;
        } finally {
            in.release();
        }
    }

    /** Runs {@code body} on a new thread with the given stack size and rethrows what it threw. */
    private static void runOnStack(long stackBytes, Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "amf-stack-" + stackBytes, stackBytes);
        thread.start();
        thread.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(thread.isAlive()).as("still running").isFalse();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }
}
