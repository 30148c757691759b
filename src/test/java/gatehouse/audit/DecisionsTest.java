package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The decisions column is compact JSON; the writer's memo gives what normalizing afresh gives. */
class DecisionsTest {

    @Test
    void theMemoAnswersAsNormalizingAfreshAndKeepsOneCopyOfARepeatedText() {
        Decisions.Memo memo = new Decisions.Memo();
        String written = "[ {\"step\": \"access\", \"action\": \"allow\", \"details\": null} ]";
        for (String d : new String[] {null, "", "  ", written, "{\"step\":\"rules\",\"action\":\"deny\"}", "not json [",
                "[]", "x".repeat(Decisions.Memo.MAX_CHARS + 1)}) {
            assertThat(memo.normalize(d)).as(String.valueOf(d)).isEqualTo(Decisions.normalize(d));
            assertThat(memo.normalize(d)).as("again: %s", d).isEqualTo(Decisions.normalize(d));
        }
        // the same decisions on the next record: the earlier answer, not parsed and written again
        String first = memo.normalize(new String(written));
        assertThat(memo.normalize(new String(written))).isSameAs(first);
        for (int i = 0; i < 2 * Decisions.Memo.ENTRIES; i++) {
            memo.normalize("[{\"step\":\"s" + i + "\",\"action\":\"allow\"}]");
        }
        assertThat(memo.normalize(written)).as("bounded: forgotten, normalized afresh").isNotSameAs(first).isEqualTo(first);
    }
}
