import type { NextFunction, Request, Response } from 'express';
import { QstashRequestError } from '@knocker/qstash';

/** The query of a door route as QStash's SDK writes it: repeated keys are lists. */
export function queryOf(req: Request): URLSearchParams {
  const at = req.url.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : req.url.slice(at + 1));
}

/** Refuses the problems found so far, every field named. */
export function refuse(errors: Record<string, string>): void {
  if (Object.keys(errors).length > 0) throw new QstashRequestError(errors);
}

/** Refuses every name but `allowed` beside `withName` (ids): the SDK never mixes ids and filters, so a mix is a mistake. */
export function alone(params: URLSearchParams, withName: string, allowed: readonly string[], errors: Record<string, string>): void {
  for (const name of new Set(params.keys())) if (name !== withName && !allowed.includes(name)) errors[name] = `cannot be combined with ${withName}`;
}

type Work = (req: Request, res: Response) => Promise<void>;
/** An async route whose errors go to the door's error handler. */
export const handle = (work: Work) => (req: Request, res: Response, next: NextFunction) => void work(req, res).catch(next);
