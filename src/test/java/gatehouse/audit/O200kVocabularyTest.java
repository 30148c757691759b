package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * The vocabulary read from jtokkit's o200k_base file holds every token with its bytes and rank as
 * jtokkit reads them, and merges any bytes, short or long, lowest rank first and leftmost of
 * equal ranks.
 */
class O200kVocabularyTest {
    private static final O200kVocabulary VOCABULARY = O200kVocabulary.get();

    @Test
    void everyTokenIsReadWithItsBytesAndFoundAgainByThem() {
        Encoding jtokkit = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
        assertThat(VOCABULARY.tokens()).isEqualTo(199_998);
        IntArrayList one = new IntArrayList(1);
        one.add(0);
        for (int rank = 0; rank < VOCABULARY.tokens(); rank++) {
            byte[] token = VOCABULARY.token(rank);
            one.set(0, rank);
            assertThat(token).as("bytes of token %d", rank).isEqualTo(jtokkit.decodeBytes(one));
            assertThat(VOCABULARY.rank(token, 0, token.length)).as("rank of token %d", rank).isEqualTo(rank);
            assertThat(VOCABULARY.count(token, token.length)).as("a token is one token: %d", rank).isEqualTo(1);
        }
    }

    @Test
    void bytesThatAreNoTokenHaveNoRank() {
        byte[] b = "xq!zzkw the".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(VOCABULARY.rank(b, 0, 5)).isEqualTo(O200kVocabulary.NONE);
        assertThat(VOCABULARY.rank(b, 7, 11)).isNotEqualTo(O200kVocabulary.NONE); // " the"
        assertThat(VOCABULARY.rank(b, 3, 3)).isEqualTo(O200kVocabulary.NONE);
        assertThat(VOCABULARY.rank(new byte[200], 0, 200)).isEqualTo(O200kVocabulary.NONE);
        assertThat(VOCABULARY.count(b, 0)).isZero();
    }

    /**
     * Any bytes (not only UTF-8), short and long, merge as the plain rule says; long ones go
     * through the heap, so this compares it with the rule itself. The bytes are made of tokens and
     * pieces of tokens, so that many pairs merge, and of few distinct ones, so that ranks tie.
     */
    @Test
    void anyBytesMergeLowestRankFirstAndLeftmostOfEqualRanks() {
        Random random = new Random(3);
        for (int round = 0; round < 2_000; round++) {
            int length = 1 + random.nextInt(round % 4 == 0 ? 1_500 : 150);
            byte[][] symbols = new byte[1 + random.nextInt(4)][];
            for (int i = 0; i < symbols.length; i++) {
                symbols[i] = switch (random.nextInt(4)) {
                    case 0 -> VOCABULARY.token(random.nextInt(VOCABULARY.tokens()));
                    case 1 -> VOCABULARY.token(random.nextInt(2_000));
                    case 2 -> new byte[] {(byte) random.nextInt(256)};
                    default -> new byte[] {(byte) " !=-\t\n*a".charAt(random.nextInt(8))};
                };
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            while (out.size() < length) {
                byte[] s = symbols[random.nextInt(symbols.length)];
                out.write(s, 0, s.length);
            }
            byte[] b = out.toByteArray();
            assertThat(VOCABULARY.count(b, b.length)).as("tokens of %d bytes in round %d", b.length, round).isEqualTo(plainCount(b));
        }
    }

    /** The rule as plainly as it can be written: look through all pairs, join the first of the lowest rank, until none is a token. */
    private static int plainCount(byte[] b) {
        if (b.length <= 1 || VOCABULARY.rank(b, 0, b.length) != O200kVocabulary.NONE) {
            return Math.min(b.length, 1);
        }
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i <= b.length; i++) {
            starts.add(i);
        }
        while (true) {
            int best = O200kVocabulary.NONE;
            int at = -1;
            for (int i = 0; i + 2 < starts.size(); i++) {
                int rank = VOCABULARY.rank(b, starts.get(i), starts.get(i + 2));
                if (rank < best) {
                    best = rank;
                    at = i;
                }
            }
            if (at < 0) {
                return starts.size() - 1;
            }
            starts.remove(at + 1);
        }
    }
}
