package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Object graphs of the job's state classes filled by reflection, and compared by reflection: every
 * public instance field (of nested objects, arrays and lists too) gets a value, so a field added to
 * a class is filled and compared without changing the tests, and a serializer that forgets it fails
 * them.
 */
final class Reflective {
    private final Random rnd;

    /** The value of every boolean field: fill twice, with true and false, to see each one. */
    private final boolean bools;

    Reflective(long seed, boolean bools) {
        this.rnd = new Random(seed);
        this.bools = bools;
    }

    /** A c with every public instance field set to a value that differs from its default. */
    <T> T filled(Class<T> c) throws Exception {
        T o = c.getConstructor().newInstance();
        for (Field f : c.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                f.set(o, valueOf(f.getGenericType()));
            }
        }
        return o;
    }

    private Object valueOf(Type type) throws Exception {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            List<Object> l = new ArrayList<>();
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                l.add(valueOf(p.getActualTypeArguments()[0]));
            }
            return l;
        }
        Class<?> t = (Class<?>) type;
        if (t == String.class) {
            return "s" + rnd.nextInt(1_000_000) + "-\u00e9\u4e2d";
        } else if (t == long.class) {
            return rnd.nextLong();
        } else if (t == int.class) {
            return rnd.nextInt();
        } else if (t == double.class) {
            return rnd.nextDouble() * 1e6;
        } else if (t == byte.class) {
            return (byte) (1 + rnd.nextInt(100));
        } else if (t == boolean.class) {
            return bools;
        } else if (t.isArray()) {
            int n = 1 + rnd.nextInt(3);
            Object a = Array.newInstance(t.getComponentType(), n);
            for (int i = 0; i < n; i++) {
                Array.set(a, i, valueOf(t.getComponentType()));
            }
            return a;
        } else if (t.getName().startsWith("org.edgellm")) {
            return filled(t);
        }
        throw new IllegalArgumentException("no filler for a field of type " + type);
    }

    /** Deep equality over public fields; fails naming the path of the first difference. */
    static void assertDeepEquals(Object a, Object b, String path) throws Exception {
        if (a == null || b == null) {
            assertEquals(a, b, path);
            return;
        }
        Class<?> t = a.getClass();
        if (a instanceof List<?> la) {
            List<?> lb = (List<?>) b;
            assertEquals(la.size(), lb.size(), path + ".size");
            for (int i = 0; i < la.size(); i++) {
                assertDeepEquals(la.get(i), lb.get(i), path + "[" + i + "]");
            }
            return;
        }
        assertEquals(t, b.getClass(), path);
        if (t.isArray()) {
            assertEquals(Array.getLength(a), Array.getLength(b), path + ".length");
            for (int i = 0; i < Array.getLength(a); i++) {
                assertDeepEquals(Array.get(a, i), Array.get(b, i), path + "[" + i + "]");
            }
        } else if (t.getName().startsWith("org.edgellm")) {
            for (Field f : t.getFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    assertDeepEquals(f.get(a), f.get(b), path + "." + f.getName());
                }
            }
        } else {
            assertEquals(a, b, path);
        }
    }

    /**
     * A copy shares no mutable object with its original: no object of the job's classes, array or
     * list is the same instance at the same path (strings and boxed values are immutable).
     */
    static void assertNothingShared(Object a, Object b, String path) throws Exception {
        if (a == null || b == null) {
            return;
        }
        Class<?> t = a.getClass();
        boolean mutable = t.isArray() || a instanceof List || t.getName().startsWith("org.edgellm");
        if (mutable) {
            assertNotSame(a, b, path + " is shared by the copy");
        }
        if (a instanceof List<?> la) {
            for (int i = 0; i < la.size(); i++) {
                assertNothingShared(la.get(i), ((List<?>) b).get(i), path + "[" + i + "]");
            }
        } else if (t.isArray() && !t.getComponentType().isPrimitive()) {
            for (int i = 0; i < Array.getLength(a); i++) {
                assertNothingShared(Array.get(a, i), Array.get(b, i), path + "[" + i + "]");
            }
        } else if (t.getName().startsWith("org.edgellm")) {
            for (Field f : t.getFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    assertNothingShared(f.get(a), f.get(b), path + "." + f.getName());
                }
            }
        }
    }
}
