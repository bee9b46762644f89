/**
 * The domain scheduler: everything the job decides for one coordination domain, in plain Java with
 * an injected clock (no Flink, Kafka or Avro; {@code DomainIsolationTest} enforces it). The Flink
 * function ({@link org.edgellm.job.SlotCoordinator}), the simulator ({@code simulate}) and the
 * tests all run this code.
 *
 * <ul>
 *   <li>{@link org.edgellm.job.domain.DomainScheduler}: closes one slot of one domain; the API.
 *   <li>{@link org.edgellm.job.domain.SlotEvents}: applies a slot's events in a fixed order.
 *   <li>{@link org.edgellm.job.domain.TelemetryFold}: folds a heartbeat into a node's runtime
 *       state.
 *   <li>{@link org.edgellm.job.domain.NodeLiveness}: finds crashed or stalled nodes and reports
 *       their unfinished batches.
 *   <li>{@link org.edgellm.job.domain.SlotPlanner}: offers nodes and candidates to the {@code
 *       Scheduler} and turns its batches into decisions.
 *   <li>{@link org.edgellm.job.domain.Admission}: rejects what no later slot could serve, with a
 *       reason.
 *   <li>{@link org.edgellm.job.domain.Shedding}: bounds the pending queue.
 *   <li>{@link org.edgellm.job.domain.Retention}: forgets old ids and silent users' channels.
 * </ul>
 *
 * The domain's state lives behind {@link org.edgellm.job.domain.DomainState}: Flink keyed state in
 * the job, maps in memory in the simulator. Its classes ({@code PendingQueue}, {@code NodeRuntime},
 * {@code UserChannels}, the events) stay in {@code org.edgellm.job} under their old names, so that
 * savepoints keep restoring.
 */
package org.edgellm.job.domain;
