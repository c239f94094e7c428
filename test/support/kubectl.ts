import { kubeToolPath, runKubeTool, type ToolResult } from './kube-tool.js';

export type KubectlResult = ToolResult;

export const kubectlPath = (): Promise<string> => kubeToolPath('kubectl');
export const kubectl = (args: readonly string[]): Promise<KubectlResult> => runKubeTool('kubectl', args);
