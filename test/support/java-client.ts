import { ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { pulsarHome } from "./toolchain";

/** How a client reaches a broker: the listener it names, the token (a file, never on a command line) and the CA it trusts. */
export interface ClientOptions {
  readonly listenerName?: string;
  readonly tokenFile?: string;
  readonly caCert?: string;
}

export type ClientRequest =
  | { readonly op: "warm" }
  | { readonly op: "produce"; readonly serviceUrl: string; readonly topic: string; readonly count: number; readonly message: string; readonly options: ClientOptions }
  | {
      readonly op: "consume";
      readonly serviceUrl: string;
      readonly topic: string;
      readonly subscription: string;
      readonly count: number;
      readonly timeoutMs: number;
      readonly options: ClientOptions;
    };

interface Answer {
  readonly id?: number;
  readonly ready?: boolean;
  readonly produced?: number;
  readonly consumed?: number;
  readonly error?: string;
}

/**
 * The distribution's Java client in one JVM for the whole test process (./PulsarClients.java, run
 * from source with the distribution's jars): a JVM started per call cost seconds each. Started
 * on first use; it ends with this process, whose exit closes its stdin.
 */
class JavaClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (answer: Answer) => void>();
  private readonly ready: Promise<void>;
  private nextId = 1;
  private started = false;
  private stderrTail = "";

  constructor() {
    this.child = spawn(
      "java",
      [
        "-Xms64m", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
        "--add-opens", "java.base/sun.net=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "-cp", path.join(pulsarHome(), "lib", "*"),
        path.join(__dirname, "PulsarClients.java"),
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    this.child.stderr.on("data", (d) => (this.stderrTail = `${this.stderrTail}${d}`.slice(-4000)));
    let started: () => void;
    this.ready = new Promise((resolve, reject) => {
      started = resolve;
      this.child.once("exit", (code) => {
        const failure = new Error(`the Java client exited (${code}):\n${this.stderrTail}`);
        reject(failure);
        for (const settle of this.pending.values()) settle({ error: failure.message });
        this.pending.clear();
      });
    });
    this.ready.catch(() => undefined);
    readline.createInterface({ input: this.child.stdout }).on("line", (line) => {
      const answer = JSON.parse(line) as Answer;
      if (answer.ready) (this.started = true), started();
      else if (answer.id !== undefined) {
        this.pending.get(answer.id)?.(answer);
        this.pending.delete(answer.id);
      }
      this.holdProcessWhileBusy();
    });
    this.holdProcessWhileBusy();
  }

  async request(request: ClientRequest): Promise<Answer> {
    await this.ready;
    const id = this.nextId++;
    const answered = new Promise<Answer>((resolve) => this.pending.set(id, resolve));
    this.holdProcessWhileBusy();
    this.child.stdin.write(`${JSON.stringify({ id, ...request })}\n`);
    const answer = await answered;
    if (answer.error) throw new Error(`${request.op === "warm" ? "warming up" : `${request.op} of ${request.topic} at ${request.serviceUrl}`}: ${answer.error}`);
    return answer;
  }

  /** A started, idle client does not keep this process alive: mocha ends when its tests do. */
  private holdProcessWhileBusy(): void {
    const busy = !this.started || this.pending.size > 0;
    for (const handle of [this.child, this.child.stdout, this.child.stderr, this.child.stdin] as { ref(): void; unref(): void }[]) {
      if (busy) handle.ref();
      else handle.unref();
    }
  }
}

let client: JavaClient | undefined;

export function javaClient(): JavaClient {
  client ??= new JavaClient();
  return client;
}

/** Starts the client and loads its classes in the background, meanwhile a suite boots its topology. */
export function warmJavaClient(): void {
  javaClient().request({ op: "warm" }).catch(() => undefined);
}
