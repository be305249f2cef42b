package dev.millrace.streaming.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Captures log events for assertions: {@code try (LogCapture logs = LogCapture.root(Level.TRACE)) { ... }}.
 * Sets the logger's level (and that of every logger below it that has its own) for the duration and restores them
 * on close.
 */
public final class LogCapture implements AutoCloseable {

    /** One captured line: level, logger, formatted message and the throwable's text, if any. */
    public record Line(Level level, String logger, String message, String thread) {
        @Override
        public String toString() {
            return level + " " + logger + " [" + thread + "] " + message;
        }
    }

    private final Logger logger;
    private final java.util.Map<Logger, Level> previous = new java.util.HashMap<>();
    private final List<Line> lines = new ArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            StringBuilder text = new StringBuilder(e.getFormattedMessage());
            for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                text.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            synchronized (lines) {
                lines.add(new Line(e.getLevel(), e.getLoggerName(), text.toString(), e.getThreadName()));
            }
        }
    };

    private LogCapture(String name, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
        previous.put(logger, logger.getLevel());
        logger.setLevel(level);
        // Loggers below with a level of their own (logback-test.xml sets some) would not see the new level.
        for (Logger l : logger.getLoggerContext().getLoggerList()) {
            if (l != logger && l.getLevel() != null && l.getName().startsWith(
                    name.equals(org.slf4j.Logger.ROOT_LOGGER_NAME) ? "" : name + ".")) {
                previous.put(l, l.getLevel());
                l.setLevel(level);
            }
        }
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures everything at {@code level} and above, from every logger. */
    public static LogCapture root(Level level) {
        return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, level);
    }

    /** Captures one logger (and its children) at {@code level} and above. */
    public static LogCapture of(Class<?> type, Level level) {
        return new LogCapture(type.getName(), level);
    }

    /** A copy of the lines captured so far. */
    public List<Line> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /** The captured lines that match. */
    public List<Line> lines(Predicate<Line> filter) {
        List<Line> out = new ArrayList<>();
        for (Line l : lines()) {
            if (filter.test(l)) {
                out.add(l);
            }
        }
        return out;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        previous.forEach(Logger::setLevel);
    }
}
