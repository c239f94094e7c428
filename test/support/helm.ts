import { kubeToolPath, runKubeTool, type ToolResult } from './kube-tool.js';

export { repoRoot } from './kube-tool.js';
export type HelmResult = ToolResult;

export const helmPath = (): Promise<string> => kubeToolPath('helm');
export const helm = (args: readonly string[]): Promise<HelmResult> => runKubeTool('helm', args);
