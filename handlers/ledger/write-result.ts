/** What writing one event did: changed the balance by `points`, or nothing (seen before). */
export type WriteResult =
  | { outcome: "credited" | "reversed" | "released"; points: number }
  /** Arrived before its order: recorded, netted out when the order lands. */
  | { outcome: "parked"; points: 0 }
  /** The customer was erased (now, with the points removed; or before: the event is dropped). */
  | { outcome: "erased"; points: number }
  | { outcome: "duplicate"; points: 0 };
