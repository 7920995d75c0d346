import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';
import { applyWatchdogFlag, parseDuration, watchdogOfRecord } from '../../src/config/watching.js';
import { UsageError } from '../../src/errors.js';

describe('watchdog and notify config', () => {
  it.each([
    [{ watchdog: { stall: 'soon' } }, "watchdog.stall: expected a duration ('30m', '2h', '45s'), 'auto', or false, got \"soon\""],
    [{ watchdog: { stall: true } }, 'watchdog.stall: expected'],
    [{ watchdog: { nan: 'yes' } }, 'watchdog.nan: expected true or false'],
    [{ watchdog: { action: 'explode' } }, "watchdog.action: expected one of 'notify', 'stop', 'resume'"],
    [{ watchdog: { nope: 1 } }, 'watchdog.nope: unknown key'],
    [{ notify: { on: ['crashed'] } }, "notify.on: expected an array of 'failed', 'lost', 'succeeded', 'stopped', 'watchdog'"],
    [{ notify: { webhook: 'ftp://example.com' } }, 'notify.webhook: expected an http(s) URL'],
    [{ notify: { webhook: 'not a url' } }, 'notify.webhook: expected an http(s) URL'],
    [{ notify: { command: '' } }, 'notify.command: expected a non-empty string'],
  ])('refuses %j', (config, message) => {
    const result = validateConfig(config);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toContain(message);
  });

  it.each([
    [{}, null, null],
    [{ watchdog: {} }, { nan: true, stall: 'auto', action: 'notify' }, null],
    [{ watchdog: { stall: '30m', action: 'stop' }, notify: { webhook: 'https://hooks.example/x' } }, { nan: true, stall: '30m', action: 'stop' }, { on: ['failed', 'lost', 'watchdog'], command: null, webhook: 'https://hooks.example/x' }],
    [{ watchdog: { nan: false, stall: false }, notify: { on: ['succeeded'], command: 'notify-send done' } }, { nan: false, stall: false, action: 'notify' }, { on: ['succeeded'], command: 'notify-send done', webhook: null }],
  ])('resolves %j', (user, watchdog, notify) => {
    expect(validateConfig(user).ok).toBe(true);
    const resolved = resolveConfig(user as never, null, '/tmp');
    expect(resolved.watchdog).toEqual(watchdog);
    expect(resolved.notify).toEqual(notify);
  });

  it.each([
    ['30m', 1_800_000],
    ['3s', 3_000],
    ['45', 45_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1500ms', 1_500],
    ['0s', null],
    ['soon', null],
    ['-3s', null],
  ])('duration %s → %s ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  const config = { nan: true, stall: '30m', action: 'notify' } as const;
  it.each([
    ['on', null, { nan: true, stall: 'auto', action: 'notify' }],
    ['', config, config],
    ['off', config, null],
    ['stall=3s', null, { nan: true, stall: '3s', action: 'notify' }],
    ['nan,stall=30m,action=stop', null, { nan: true, stall: '30m', action: 'stop' }],
    ['nan=off,stall=auto', config, { nan: false, stall: 'auto', action: 'notify' }],
    ['stall=off,action=resume', config, { nan: true, stall: false, action: 'resume' }],
  ])('--watchdog %j over %j', (spec, base, expected) => {
    expect(applyWatchdogFlag(spec, base)).toEqual(expected);
  });

  it.each(['bogus', 'stall', 'stall=soon', 'action=explode', 'nan=maybe', 'nan,,stall=3s'])('--watchdog %j is a UsageError', (spec) => {
    expect(() => applyWatchdogFlag(spec, null)).toThrow(UsageError);
  });

  it("a record's watchdog is checked again when read (a record is a file anyone may edit)", () => {
    expect(watchdogOfRecord({ watchdog: { nan: true, stall: '3s', action: 'stop' } })).toEqual({ nan: true, stall: '3s', action: 'stop' });
    expect(watchdogOfRecord({ watchdog: { nan: true, stall: 'soon', action: 'stop' } })).toBeNull();
    expect(watchdogOfRecord({ watchdog: null })).toBeNull();
    expect(watchdogOfRecord({})).toBeNull();
  });
});
