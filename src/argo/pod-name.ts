/**
 * Argo's pod names (workflow/util/pod_name.go), needed to delete the pods of nodes a retry resets.
 * v2 (default): `<workflow>-<template>-<fnv32a(node name)>`, prefix cut to 242 chars; v1: the node id.
 * The version comes from the workflow's pod-name-format annotation; Argo falls back to the POD_NAMES environment
 * variable of the process doing the retry, which we do not have, so the fallback is Argo's default, v2.
 */
import { ARGO_ANNOTATION } from './labels.js';
import type { Workflow, WorkflowNode } from './types.js';

const MAX_PREFIX = 253 - 10 - 1;

export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function templateNameOf(node: WorkflowNode): string {
  return node.templateRef?.template ?? node.templateName ?? '';
}

export function podNameVersion(wf: Workflow): 'v1' | 'v2' {
  return wf.metadata.annotations?.[ARGO_ANNOTATION.podNameFormat] === 'v1' ? 'v1' : 'v2';
}

export function podName(workflowName: string, node: WorkflowNode, version: 'v1' | 'v2'): string {
  if (version === 'v1') return node.id;
  if (workflowName === node.name) return workflowName;
  const template = templateNameOf(node);
  let prefix = template !== '' ? `${workflowName}-${template}` : workflowName;
  if (prefix.length > MAX_PREFIX) prefix = prefix.slice(0, MAX_PREFIX);
  return `${prefix}-${fnv32a(node.name)}`;
}
