import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capOutboxQueues, type QueuedNotification } from '../../src/domain/notifications.ts';

const event = (n: number, bytes = 100): QueuedNotification => ({
  eventId: `r/${n}`,
  event: 'weight_changed',
  body: 'x'.repeat(bytes),
});
const ids = (queue: QueuedNotification[]) => queue.map((item) => item.eventId);

test('queues under the outbox cap are handed over whole', () => {
  const receivers = [{ webhook: 'http://127.0.0.1:9/a', queue: [event(1), event(2)] }];
  assert.deepEqual(capOutboxQueues(receivers, 10_000), { receivers, dropped: [] });
});

test('over the cap, each queue keeps its head and its newest events in order, and names what it dropped', () => {
  const size = 100 + 'r/1'.length + 'weight_changed'.length;
  const a = { webhook: 'http://127.0.0.1:9/a', queue: [1, 2, 3, 4, 5, 6].map((n) => event(n)) };
  const b = { webhook: 'http://127.0.0.1:9/b', queue: [event(7)] };
  // Two receivers share 6 events' worth: three each.
  const { receivers, dropped } = capOutboxQueues([a, b], size * 6);
  assert.deepEqual(ids(receivers[0]?.queue ?? []), ['r/1', 'r/5', 'r/6']);
  assert.deepEqual(ids(receivers[1]?.queue ?? []), ['r/7']);
  assert.deepEqual(
    dropped.map((d) => [d.webhook, ids(d.events)]),
    [['http://127.0.0.1:9/a', ['r/2', 'r/3', 'r/4']]],
  );
  const total = receivers.flatMap((r) => r.queue).length * size;
  assert.ok(total <= size * 6);
});

test('a queue whose newest event alone is over its share keeps its head and drops the rest', () => {
  const queue = [event(1, 10), event(2, 10), event(3, 5000)];
  const { receivers, dropped } = capOutboxQueues([{ webhook: 'http://127.0.0.1:9/a', queue }], 1000);
  assert.deepEqual(ids(receivers[0]?.queue ?? []), ['r/1']);
  assert.deepEqual(ids(dropped[0]?.events ?? []), ['r/2', 'r/3']);
});
