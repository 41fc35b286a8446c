package io.auditwatch.nodegraph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PodRecordTest {
    @Test
    void shouldReadBackWhatItStored() {
        PodRecord pod = new PodRecord("web-1", "ip-10-0-1-17.ec2.internal", true,
                Set.of("configmap/kube-root-ca.crt", "secret/db-credentials", "serviceaccount/web"));

        assertEquals(pod, PodRecord.decode(pod.encode()));
    }

    @Test
    void shouldReadBackAnUnboundPodWithoutSpecOrReferences() {
        PodRecord pod = new PodRecord("web-1", null, false, Set.of());

        assertEquals(pod, PodRecord.decode(pod.encode()));
    }

    @Test
    void shouldKeepReferencesThatLookLikeItsOwnFraming() {
        // Pod specs name their secrets and configmaps freely: a reference may hold any character.
        PodRecord pod = new PodRecord("web-1", "n-1", true, Set.of("secret/-", "secret/3:a|b", "configmap/"));

        assertEquals(pod, PodRecord.decode(pod.encode()));
    }

    @Test
    void shouldReadThePodsThatEarlierVersionsStoredAsJson() {
        assertEquals(new PodRecord("web-1", "n-1", true, Set.of("secret/db-credentials", "serviceaccount/web")),
                PodRecord.decode("{\"name\":\"web-1\",\"node\":\"n-1\",\"specKnown\":true,"
                        + "\"refs\":[\"secret/db-credentials\",\"serviceaccount/web\"]}"));
        assertEquals(new PodRecord("web-1", null, false, Set.of()),
                PodRecord.decode("{\"name\":\"web-1\",\"specKnown\":false,\"refs\":[]}"));
    }
}
