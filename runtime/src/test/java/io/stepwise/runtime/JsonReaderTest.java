package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = JsonReader.parse(" {\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\\"\\n\\u00e9\\/\", \"o\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(Arrays.asList(1L, -2500.0, true, false, null), m.get("a"));
        assertEquals("x\"\né/", m.get("s"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(List.of("a", "b"), List.copyOf(((Map<?, ?>) JsonReader.parse("{\"a\":1,\"b\":2}")).keySet()));
        assertEquals(List.of(), JsonReader.parse("[]"));
        assertNull(JsonReader.parse("null"));
        assertEquals(1e30, JsonReader.parse("1000000000000000000000000000000"));
    }

    @Test
    void refusesMalformedTextNamingTheOffset() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "\"open", "tru", "1 2", "{\"a\":1,}", "-", "[\"\t\"]",
                "\"\\x\"")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("JSON: expected") && e.getMessage().contains("offset"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("[".repeat(100) + "]".repeat(100)));
    }
}
