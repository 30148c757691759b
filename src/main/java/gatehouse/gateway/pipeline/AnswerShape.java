package gatehouse.gateway.pipeline;

import tools.jackson.databind.node.ObjectNode;

/**
 * How a {@link PostAnswer} is shaped for the client's protocol generation: as it is for 2025
 * sessions; for stateless clients see {@link StatelessAnswerShape}.
 */
interface AnswerShape {
    /** A 2025 session's answer: every interim message goes out, the response unchanged, status 200. */
    AnswerShape AS_IS = new AnswerShape() {
        @Override
        public boolean interim(ObjectNode message) {
            return true;
        }

        @Override
        public ObjectNode finish(ObjectNode response) {
            return response;
        }

        @Override
        public int status(ObjectNode response) {
            return 200;
        }

        @Override
        public boolean leavesAlone(ObjectNode response) {
            return true;
        }
    };

    /** Whether an interim message may go to this client at all. */
    boolean interim(ObjectNode message);

    /** The final response as the client should see it. */
    ObjectNode finish(ObjectNode response);

    /** The HTTP status for a final response that goes out as plain JSON. */
    int status(ObjectNode response);

    /**
     * Whether {@link #finish} would change nothing in {@code response}: then it goes out untouched
     * (its result may be shared with other answers, and its JSON text written as it is).
     */
    boolean leavesAlone(ObjectNode response);
}
