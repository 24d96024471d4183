// The glue's one timer (DeadlineTimer) on node:test's mocked setTimeout and a clock of the test's
// own: a tick only once the engine's deadline is reached, never early; a timeout set again only
// when the deadline comes earlier; none left when no deadline is wanted.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { DeadlineTimer } from '../dist/timer.js';

function setup() {
  mock.timers.enable({ apis: ['setTimeout'] });
  const clock = { now: 0 };
  const ticks = [];
  const timer = new DeadlineTimer(() => ticks.push(clock.now), () => clock.now);
  // Moves the test's clock and the mocked timers together.
  const advance = (ms) => {
    clock.now += ms;
    mock.timers.tick(ms);
  };
  return { clock, ticks, timer, advance };
}

test('a deadline is ticked once, when reached: 999 ms nothing, 1 ms more the tick', (t) => {
  t.after(() => mock.timers.reset());
  const { ticks, timer, advance } = setup();
  timer.arm(1000, 0);
  advance(999);
  assert.deepEqual(ticks, []);
  advance(1);
  assert.deepEqual(ticks, [1000]);
  advance(5000);
  assert.deepEqual(ticks, [1000], 'one tick per arm');
});

test('a deadline moved later on every frame: no early tick, one tick at the last deadline', (t) => {
  t.after(() => mock.timers.reset());
  const { ticks, timer, advance, clock } = setup();
  // As the engine's activity timeout does: each frame pushes the deadline back.
  for (let frame = 0; frame < 100; frame++) {
    timer.arm(clock.now + 1000, clock.now);
    advance(10);
  }
  const last = clock.now - 10 + 1000;
  // The first timeout (set for 1000) fires at 1000, finds the deadline not reached, waits on.
  while (clock.now < last - 1) advance(1);
  assert.deepEqual(ticks, [], 'nothing before the deadline wanted');
  advance(1);
  assert.deepEqual(ticks, [last]);
});

test('a deadline moved earlier is set again and ticked then', (t) => {
  t.after(() => mock.timers.reset());
  const { ticks, timer, advance } = setup();
  timer.arm(5000, 0);
  timer.arm(200, 0);
  advance(199);
  assert.deepEqual(ticks, []);
  advance(1);
  assert.deepEqual(ticks, [200]);
  advance(10_000);
  assert.deepEqual(ticks, [200], 'the later timeout was replaced, not kept');
});

test('no deadline wanted: the pending timeout is cleared, nothing fires', (t) => {
  t.after(() => mock.timers.reset());
  const { ticks, timer, advance } = setup();
  timer.arm(100, 0);
  timer.arm(-1, 0);
  advance(10_000);
  assert.deepEqual(ticks, []);
});

test('a timeout that fires before the deadline on the engine\'s clock waits for the rest', (t) => {
  t.after(() => mock.timers.reset());
  const { ticks, timer, advance, clock } = setup();
  timer.arm(1000, 0);
  // The runtime's timers run ahead of the engine's clock by 3 ms (Node counts from the event
  // loop's cached time): the timeout fires at 997 on the engine's clock.
  clock.now -= 3;
  advance(1000);
  assert.deepEqual(ticks, [], 'no tick at 997');
  advance(3);
  assert.deepEqual(ticks, [1000]);
});
