package org.edgellm.job.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link EmbeddedKafka} broker for a test class: started before the class's first
 * {@code @BeforeAll} method, closed after its last {@code @AfterAll} method. Register it on a
 * static field,
 *
 * <pre>{@code
 * @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
 * }</pre>
 *
 * and reach the broker through {@link #broker()}; each test creates its own topics. A
 * {@code @Nested} class shares its outer class's broker.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedKafka broker;
    private Class<?> owner;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (broker == null) {
            broker = EmbeddedKafka.start();
            owner = context.getRequiredTestClass();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (broker != null && context.getRequiredTestClass() == owner) {
            try {
                broker.close();
            } finally {
                broker = null;
                owner = null;
            }
        }
    }

    /** The running broker; an IllegalStateException outside the class's lifecycle. */
    public EmbeddedKafka broker() {
        if (broker == null) {
            throw new IllegalStateException(
                    "no broker: register EmbeddedKafkaExtension on a static field with"
                            + " @RegisterExtension, and use it from the test class's lifecycle");
        }
        return broker;
    }
}
