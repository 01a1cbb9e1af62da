// Preloaded into the headless station by the soak benchmark only (`node --expose-gc --import <this file> …`): the
// station itself has no way to force a GC or report its memory, and nothing a screen or the network sends can
// reach this. It answers the bench over the IPC channel the bench opened; a process without one is left alone.
import { monitorEventLoopDelay } from 'node:perf_hooks'

const send = process.send?.bind(process)
const gc = globalThis.gc

if (send && typeof gc === 'function') {
  // 20 ms resolution: finer wakes the loop often enough to show in an idle CPU figure.
  const loop = monitorEventLoopDelay({ resolution: 20 })
  loop.enable()
  /** CPU time the forced GCs took, taken out of the figures: the station would not have spent it. */
  let probeCpuUs = 0
  const cpuNow = () => {
    const used = process.cpuUsage()
    return used.user + used.system
  }

  process.on('message', message => {
    if (message?.probe === 'loop') {
      // The bench turns the delay monitor off for the idle phase: its own timer would be most of the CPU there.
      if (message.on) loop.enable()
      else loop.disable()
      loop.reset()
      return
    }
    if (message?.probe !== 'sample') return
    const before = cpuNow()
    gc()
    const after = cpuNow()
    probeCpuUs += after - before
    const memory = process.memoryUsage()
    const sample = {
      atMs: Date.now(),
      heapUsed: memory.heapUsed,
      rss: memory.rss,
      cpuUs: after - probeCpuUs,
      // The kernel's part (system calls: fsync, reads and writes of the port, pipes and sockets).
      cpuSystemUs: process.cpuUsage().system,
      loopP99Ms: loop.count > 0 ? loop.percentile(99) / 1e6 : 0,
      loopMaxMs: loop.count > 0 ? loop.max / 1e6 : 0
    }
    loop.reset()
    send({ probe: 'sample', sample })
  })
  // The channel must not keep a station alive that would otherwise stop.
  process.channel?.unref()
}
