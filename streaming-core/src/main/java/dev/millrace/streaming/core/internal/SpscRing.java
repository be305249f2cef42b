package dev.millrace.streaming.core.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded single-producer single-consumer ring of references. The producer and the consumer may be different
 * threads; there is at most one of each at a time (callers serialise producers with a lock). No allocation per
 * element.
 *
 * @param <E> element type
 */
public final class SpscRing<E> {

    private final AtomicReferenceArray<E> slots;
    private final int mask;
    /** Next index to write; written by the producer only. */
    private final AtomicLong tail = new AtomicLong();
    /** Next index to read; written by the consumer only. */
    private final AtomicLong head = new AtomicLong();

    /** @param capacity rounded up to a power of two */
    public SpscRing(int capacity) {
        if (capacity < 2 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("capacity out of 2..2^30: " + capacity);
        }
        int size = Integer.highestOneBit(capacity - 1) << 1;
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    public int capacity() {
        return mask + 1;
    }

    /** Producer: adds {@code e} unless the ring is full. */
    public boolean offer(E e) {
        long t = tail.get();
        if (t - head.get() > mask) {
            return false;
        }
        slots.lazySet((int) (t & mask), e);
        tail.lazySet(t + 1);
        return true;
    }

    /** Consumer: the oldest element, or null. */
    public E peek() {
        long h = head.get();
        if (h >= tail.get()) {
            return null;
        }
        return slots.get((int) (h & mask));
    }

    /** Consumer: removes and returns the oldest element, or null. */
    public E poll() {
        long h = head.get();
        if (h >= tail.get()) {
            return null;
        }
        int i = (int) (h & mask);
        E e = slots.get(i);
        slots.lazySet(i, null);
        head.lazySet(h + 1);
        return e;
    }

    /** Index the next offered element will get (producer's view). */
    public long tailIndex() {
        return tail.get();
    }

    /** Index of the element {@link #poll()} returns next (consumer's view). */
    public long headIndex() {
        return head.get();
    }

    /** Elements in the ring (approximate while the other side runs). */
    public int size() {
        return (int) Math.max(0, tail.get() - head.get());
    }

    public boolean isEmpty() {
        return head.get() >= tail.get();
    }
}
