package io.auditwatch.objects;

/**
 * The workload a pod spec belongs to: the Deployment, DaemonSet, StatefulSet, CronJob, Job, ReplicaSet or
 * ReplicationController that runs it, or the pod itself when nothing controls it.
 *
 * @param resource  the workload's resource, lower-case plural ({@code deployments})
 * @param revision  which version of the workload's pod template this write carries (a pod's
 *                  {@code pod-template-hash} or {@code controller-revision-hash}, a workload's
 *                  {@code metadata.generation}); {@code ""} when every run has the same template as far as the
 *                  event tells (a CronJob's pods); null when the write cannot be told apart from a new template
 */
public record Workload(String resource, String namespace, String name, String revision) {
    /** {@code resource/namespace/name}, how alerts and state name the workload. */
    public String key() {
        return resource + "/" + (namespace == null ? "" : namespace) + "/" + (name == null ? "" : name);
    }
}
