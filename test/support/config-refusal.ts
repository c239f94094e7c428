// The ConfigError loadConfig throws for an environment, for tests that check what a refusal names.
import { ConfigError, loadConfig } from '../../src/config.js';

/** The ConfigError loadConfig throws for env; fails the test when it accepts env or throws anything else. */
export function refusal(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}
