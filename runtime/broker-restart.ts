import { lockFolder, oneAtATime } from "../lib/one-at-a-time";

/**
 * Restarts a broker so that a settings change never takes two brokers away at once, in one
 * cluster or across the clusters of one configuration store: one broker restart at a time per
 * configuration store on this machine, each broker serving again (the runtime's start waits for
 * its readiness check) before the next one stops. `restart` is the runtime's stop and start.
 */
export function restartBroker<T>(configurationStore: string, restart: () => Promise<T>): Promise<T> {
  return oneAtATime(brokerRestartLock(configurationStore), restart);
}

/** The lock folder of the broker restarts of the clusters that share one configuration store. */
export const brokerRestartLock = (configurationStore: string): string => lockFolder("restarting-broker", configurationStore);
