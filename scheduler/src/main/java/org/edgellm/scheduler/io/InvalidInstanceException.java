package org.edgellm.scheduler.io;

/** An instance that breaks the input contract; the message names the field and the value. */
public final class InvalidInstanceException extends Exception {
    private final String field;
    private final String value;

    public InvalidInstanceException(String field, String value, String problem) {
        super(field + ": " + problem + " (got " + value + ")");
        this.field = field;
        this.value = value;
    }

    public String field() {
        return field;
    }

    public String value() {
        return value;
    }
}
