/**
 * The stream handles streaming endpoints get (and clients of them would): an async iterable of incoming
 * messages, and `send` / `close` for outgoing ones. Messages are JSON over a WebSocket.
 */

/** Messages the handler receives. */
export interface StreamIn<Request> extends AsyncIterable<Request> {
  /** The next message; rejects when the stream has closed. */
  recv(): Promise<Request>;
}

/** Messages the handler sends. */
export interface StreamOut<Response> {
  send(msg: Response): Promise<void>;
  close(): Promise<void>;
}

export interface StreamInOut<Request, Response> extends StreamIn<Request>, StreamOut<Response> {}

/** The client side of a streamIn endpoint. */
export interface StreamOutWithResponse<Request, Response> extends StreamOut<Request> {
  response(): Promise<Response>;
}
