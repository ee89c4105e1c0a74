package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledTextCsvTest {
    @TempDir
    Path dir;

    private Path csv(String content) throws Exception {
        return Files.writeString(dir.resolve("data.csv"), content, StandardCharsets.UTF_8);
    }

    @Test
    void readsQuotedMultiWordTextsInAnyColumnOrder() throws Exception {
        Path file = csv("id,label,text\n1,greeting,\"good morning, everyone\"\n\n2, farewell ,\"see you \"\"soon\"\"\"\n"
                + "3,greeting,hello there\n");
        List<LabelledTextCsv.Row> rows = LabelledTextCsv.read(file);
        assertEquals(List.of(new LabelledTextCsv.Row("good morning, everyone", "greeting", 2),
                new LabelledTextCsv.Row("see you \"soon\"", "farewell", 4),
                new LabelledTextCsv.Row("hello there", "greeting", 5)), rows);
    }

    @Test
    void errorsNameTheFileLineAndColumn() throws Exception {
        assertError("text,label\nhello,\n", "data.csv: line 2, column 'label': the label is empty");
        assertError("text,label\n,greeting\n", "data.csv: line 2, column 'text': the text is empty");
        assertError("words,label\nhello,x\n", "data.csv: line 1: the header has no 'text' column; columns are "
                + "[words, label]");
        assertError("text,label\n\"hello,x\n", "data.csv: line 2, column 1: unterminated quoted field");
        assertError("text,label\nhello\n", "data.csv: line 2: expected 2 columns (text,label) but got 1");
        assertError("text,label\n\"a\"b,x\n", "data.csv: line 2, column 1: unexpected 'b' after a closing quote");
        assertError("text,label\n" + "x".repeat(LabelledTextCsv.MAX_TEXT_CHARS + 1) + ",y\n",
                "data.csv: line 2, column 'text': the text has 2,001 characters; the limit is 2,000");
        assertError("text,label\n", "data.csv: the file has a header but no rows");
    }

    private void assertError(String content, String message) throws Exception {
        Path file = csv(content);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelledTextCsv.read(file));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aDatasetFromCsvSplitsLikeTheFolderOfWordLists() throws Exception {
        StringBuilder sb = new StringBuilder("text,label\n");
        for (int i = 0; i < 40; i++) {
            sb.append("\"the cat ").append(i).append("\",cats\n");
            sb.append("\"a dog ").append(i).append("\",dogs\n");
        }
        sb.append("shared,cats\nshared,dogs\n");
        WordLanguageDataset d = WordLanguageDataset.builder().setFolder(csv(sb.toString())).build();
        assertEquals(List.of("cats", "dogs"), d.labels());
        assertEquals(2, d.ambiguousDropped());
        assertEquals(80, d.train().size() + d.validation().size() + d.test().size());
        assertEquals(8, d.test().size());
        assertTrue(List.of(d.train().words()).stream().anyMatch(w -> w.contains(" ")));
    }
}
