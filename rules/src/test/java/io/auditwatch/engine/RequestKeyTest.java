package io.auditwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RequestKeyTest {
    private static final String SHA_256_OF_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void shouldCutTheHexOfSha256() {
        assertEquals(SHA_256_OF_ABC.substring(0, 24), RequestKey.digest("abc", 24));
        assertEquals(SHA_256_OF_ABC.substring(0, 7), RequestKey.digest("abc", 7));
        assertEquals(SHA_256_OF_ABC, RequestKey.digest("abc", 64));
        assertEquals(SHA_256_OF_ABC.substring(0, 32), RequestKey.digest("abc", 32), "again, on the same thread");
    }
}
