"""Drive the BAQL kernel with jupyter_client's blocking client and print what it answered.

Usage: /usr/bin/python3 client_checks.py KERNEL_NAME
Prints one JSON object: kernel_info, complete, is_complete, inspect, history, comm_info, an
interrupted execution (with its timing), a forged (bad signature) and malformed messages, "Run all"
after an error, a comment-only cell, and a restart. The kernelspec is found through JUPYTER_PATH.
"""
import json
import os
import signal
import sys
import time

from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

TIMEOUT = 60


def shell_reply(kc, msg_id, timeout=TIMEOUT):
    deadline = time.time() + timeout
    while True:
        msg = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def iopub_until_idle(kc, msg_id, timeout=TIMEOUT):
    seen = []
    deadline = time.time() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        seen.append({"msg_type": msg["msg_type"], "content": msg["content"]})
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return seen


def execute(kc, code, **kwargs):
    msg_id = kc.execute(code, **kwargs)
    reply = shell_reply(kc, msg_id)
    iopub = iopub_until_idle(kc, msg_id)
    return {"reply": reply["content"], "iopub": iopub}


def main() -> int:
    kernel_name = sys.argv[1]
    out = {}
    km, kc = start_new_kernel(kernel_name=kernel_name, startup_timeout=TIMEOUT)
    try:
        out["spec_interrupt_mode"] = km.kernel_spec.interrupt_mode
        out["kernel_info"] = kc.kernel_info(reply=True, timeout=TIMEOUT)["content"]
        out["first"] = execute(kc, "type:login | count by channel")
        out["complete_field"] = kc.complete("type:login cha", 14, reply=True, timeout=TIMEOUT)["content"]
        out["complete_event"] = kc.complete("type:log", 8, reply=True, timeout=TIMEOUT)["content"]
        out["complete_magic"] = kc.complete("%val", 4, reply=True, timeout=TIMEOUT)["content"]
        out["is_complete_paren"] = shell_reply(kc, kc.is_complete("type:login AND (user:a"))["content"]
        out["is_complete_quote"] = shell_reply(kc, kc.is_complete('note:"abc'))["content"]
        out["is_complete_ok"] = shell_reply(kc, kc.is_complete("type:login since 1d"))["content"]
        out["inspect_field"] = kc.inspect("type:login channel:ONLINE", 13, reply=True, timeout=TIMEOUT)["content"]
        out["inspect_event"] = kc.inspect("type:login", 7, reply=True, timeout=TIMEOUT)["content"]
        out["history"] = kc.history(hist_access_type="tail", n=5, output=False, raw=True, reply=True, timeout=TIMEOUT)["content"]
        out["comm_info"] = kc.comm_info(reply=True, timeout=TIMEOUT)["content"]

        # A forged message: signed with the wrong key. It must be dropped (no reply) and logged.
        forged = Session(key=b"not-the-key", username="mallory")
        forged_msg = forged.send(kc.shell_channel.socket, "execute_request",
                                 content={"code": "type:login", "silent": False, "store_history": True,
                                          "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        # Malformed frames of every kind.
        sock = kc.shell_channel.socket
        sock.send_multipart([b"<IDS|MSG>", b"deadbeef", b"{not json", b"{}", b"{}", b"{}"])
        sock.send_multipart([b"no delimiter"])
        sock.send_multipart([b"<IDS|MSG>"])
        kc.control_channel.socket.send_multipart([b"\xff\xfe", b"<IDS|MSG>", b"", b"[]", b"{}", b"{}", b"{}"])
        forged_replies = []
        t_end = time.time() + 1.5
        while time.time() < t_end:
            try:
                msg = kc.get_shell_msg(timeout=0.2)
                if msg["parent_header"].get("msg_id") == forged_msg["header"]["msg_id"]:
                    forged_replies.append(msg["msg_type"])
            except Exception:
                pass
        out["forged_replies"] = forged_replies
        out["alive_after_garbage"] = km.is_alive()
        out["kernel_info_after_garbage"] = kc.kernel_info(reply=True, timeout=TIMEOUT)["content"]["status"]

        # Interrupt a slow query (the sandbox answers with latency): the reply must come fast.
        msg_id = kc.execute("since 30d")
        time.sleep(1.0)
        started = time.time()
        km.interrupt_kernel()
        reply = shell_reply(kc, msg_id)
        out["interrupt"] = {"reply": reply["content"], "seconds": time.time() - started}
        out["after_interrupt"] = execute(kc, "%fields")["reply"]["status"]

        # SIGINT (what signal-mode clients send) interrupts too.
        msg_id = kc.execute("type:logout since 30d")
        time.sleep(1.0)
        started = time.time()
        km.signal_kernel(signal.SIGINT)
        reply = shell_reply(kc, msg_id)
        out["sigint"] = {"reply": reply["content"], "seconds": time.time() - started}
        out["alive_after_sigint"] = km.is_alive()

        # "Run all" after an error: three cells already on the socket when the kernel reads the
        # first (the kernel is stopped while they are sent), the first one failing. The others
        # must be aborted, whether or not the kernel has read them before the failure.
        pid = km.provisioner.process.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            burst = [kc.execute(code) for code in ("type=login", "%fields", "%events")]
        finally:
            os.kill(pid, signal.SIGCONT)
        out["run_all"] = [shell_reply(kc, msg_id)["content"]["status"] for msg_id in burst]
        out["after_run_all"] = execute(kc, "%fields")["reply"]["status"]

        # A cell of only comments runs nothing (it must not become the match-everything query).
        comment = execute(kc, "# just a note\n  # another\n")
        out["comment_only"] = {"reply": comment["reply"]["status"],
                               "outputs": [m["msg_type"] for m in comment["iopub"]
                                           if m["msg_type"] not in ("status", "execute_input")]}

        # Restart: shutdown_request with restart, then a fresh kernel answers.
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=TIMEOUT)
        out["after_restart"] = execute(kc, "%events")["reply"]

        # A profile without its secret: the kernel asks on stdin (hidden), the client answers.
        prompts = []

        def answer(msg):
            prompts.append(msg["content"])
            kc.input("sandbox-secret")

        reply = kc.execute_interactive("%profile tenant", allow_stdin=True, stdin_hook=answer,
                                       output_hook=lambda msg: None, timeout=TIMEOUT)
        out["stdin"] = {"prompts": prompts, "reply": reply["content"],
                        "after": execute(kc, "type:login since 7d | limit 2")["reply"]["status"]}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
