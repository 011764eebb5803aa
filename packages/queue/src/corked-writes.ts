import type { Redis } from 'ioredis';

/**
 * Commands sent in one turn of the event loop leave in one socket write: under load, one write
 * per command was the api's largest single cost. ioredis' auto-pipelining does this too, but it
 * builds a Pipeline object per turn and copies onto it every script BullMQ defines on the
 * connection; at a few hundred requests a second, one request per turn, that copy alone was a
 * tenth of the api's CPU. A corked socket costs nothing per command: Node sends what was
 * written while corked in one writev when it is uncorked, at the end of the turn.
 */
export function writeOncePerTurn(redis: Redis): Redis {
  const send = redis.sendCommand.bind(redis);
  let corked = false;
  redis.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    const socket = redis.stream;
    // Only once connected: the handshake (AUTH, SELECT, the ready check) goes out as it is.
    if (!corked && redis.status === 'ready' && socket && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return send(...args);
  };
  return redis;
}
