package dev.millrace.streaming.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README.md quotes EmbeddingExample.java; this keeps the quote and the compiled code identical. */
class ReadmeSnippetsTest {

    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path README = MODULE.getParent().resolve("README.md");
    static final Path SOURCE = MODULE.resolve("src/main/java/dev/millrace/streaming/examples/EmbeddingExample.java");

    /** The lines between {@code // tag::name[]} and {@code // end::name[]}, with their common indent removed. */
    static String snippet(String source, String name) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String line : source.split("\n", -1)) {
            if (line.trim().equals("// end::" + name + "[]")) {
                in = false;
            } else if (in) {
                lines.add(line);
            } else if (line.trim().equals("// tag::" + name + "[]")) {
                in = true;
            }
        }
        int indent = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                indent = Math.min(indent, l.length() - l.stripLeading().length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void readmeQuotesTheCompiledEmbeddingExamples() throws IOException {
        String source = Files.readString(SOURCE, StandardCharsets.UTF_8);
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        for (String tag : List.of("embed", "authorizer")) {
            String code = snippet(source, tag);
            assertThat(code).as("tag %s in EmbeddingExample.java", tag).isNotBlank();
            assertThat(readme).as("README.md quotes tag %s verbatim", tag).contains("```java\n" + code + "```\n");
        }
    }
}
