package gatehouse.platform;

/** The JSON (or YAML) shape a Java type is read from, in words for error messages: never a Java type name. */
public final class JsonShapes {
    private JsonShapes() {
    }

    public static String of(Class<?> type) {
        if (type == null) {
            return "of another shape";
        }
        if (CharSequence.class.isAssignableFrom(type) || type.isEnum()) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
            return "a number";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list, e.g. [\"a\", \"b\"]";
        }
        return "an object, e.g. {\"name\": \"value\"}";
    }
}
