package dev.millrace.streaming.rtmp.message;

import java.util.List;

/**
 * An AMF command message (type 20, or 17 with the AMF3 envelope): name, transaction id, command object and
 * further arguments (RTMP 1.0 section 7.1.1, 7.2).
 *
 * @param name the procedure, e.g. {@code connect}, {@code publish}
 * @param transactionId 0 for notifications that expect no reply
 * @param commandObject the object (usually an AmfObject, or null)
 * @param arguments the values after the command object
 * @param messageStreamId the message stream it arrived on
 */
public record Command(String name, double transactionId, Object commandObject, List<Object> arguments,
        int messageStreamId) {

    /** The n-th argument after the command object, or null. */
    public Object argument(int n) {
        return n < arguments.size() ? arguments.get(n) : null;
    }

    /** The n-th argument as a string, or null if absent or not a string. */
    public String stringArgument(int n) {
        Object v = argument(n);
        return v instanceof String ? (String) v : null;
    }

    /** The n-th argument as a number, or {@code otherwise}. */
    public double numberArgument(int n, double otherwise) {
        Object v = argument(n);
        return v instanceof Number ? ((Number) v).doubleValue() : otherwise;
    }

    /** The n-th argument as a boolean, or {@code otherwise}. */
    public boolean booleanArgument(int n, boolean otherwise) {
        Object v = argument(n);
        return v instanceof Boolean ? (Boolean) v : otherwise;
    }

    @Override
    public String toString() {
        // Arguments may carry a stream key: only the name and transaction are printed.
        return "Command(" + name + " txn=" + (long) transactionId + " msid=" + messageStreamId + ")";
    }
}
