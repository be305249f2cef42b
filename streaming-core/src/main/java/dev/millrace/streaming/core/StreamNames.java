package dev.millrace.streaming.core;

/**
 * What an application or stream name may look like. Names become parts of URLs, file names (HLS segments,
 * recordings) and log lines, so only a safe alphabet is accepted: letters, digits and {@code - _ . ~ + = @},
 * not starting with a dot, so {@code ..} and {@code /} can never reach a path.
 */
public final class StreamNames {

    private StreamNames() {
    }

    /** Whether {@code name} is a valid application or stream name of at most {@code maxLength} characters. */
    public static boolean isValid(String name, int maxLength) {
        if (name == null || name.isEmpty() || name.length() > maxLength || name.charAt(0) == '.') {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '=' || c == '@';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
