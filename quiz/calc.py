"""`quiz calc`: short names and shell-style arguments for the reference functions."""

from __future__ import annotations

from typing import Any

from quiz.answers import parse_answer
from quiz.errors import AnswerFormatError, UsageError
from quiz.solutions import CHECKS

ALIASES = {
    "conv": "conv_output_size", "conv-transpose": "conv_transpose_output_size",
    "deconv": "conv_transpose_output_size", "pool": "pool_output_size",
    "same-padding": "same_padding", "conv-params": "conv_params",
    "linear-params": "linear_params", "rnn-params": "rnn_params", "lstm-params": "lstm_params",
    "gru-params": "gru_params", "iterations": "iterations_per_epoch",
    "derivative": "derivative", "activation": "activation", "softmax": "softmax",
    "pool2d": "pool2d", "compose": "compose_linear", "gd-step": "gd_step",
    "dropout-scale": "inverted_dropout_scale", "mha-params": "mha_params",
    "encoder-layer-params": "encoder_layer_params", "attention-memory": "attention_scores_mib",
    "kv-cache": "kv_cache_mib", "attention-flops": "attention_flops",
    "positional-encoding": "sinusoidal_position", "attention-weights": "attention_weights",
}
OPTION_ALIASES = {
    "samples": "n_samples", "batch": "batch_size", "in": "in_channels", "out": "out_channels",
    "input": "input_size", "hidden": "hidden_size", "in-features": "in_features",
    "out-features": "out_features", "ceil": "ceil_mode", "ceil-mode": "ceil_mode",
    "drop-last": "drop_last", "output-padding": "output_padding", "heads": "num_heads",
    "ff": "dim_feedforward", "seq": "seq_len", "bytes": "bytes_per_element",
}
TEXT_ARGUMENTS = {"name", "mode"}
LIST_ARGUMENTS = {"xs", "matrix", "q", "k"}


def names() -> list[str]:
    """Every name `quiz calc` accepts: the short ones, then the checks' own."""
    return sorted(ALIASES) + sorted(set(CHECKS) - set(ALIASES.values()))


def parse(name: str, words: list[str]) -> tuple[str, dict[str, Any]]:
    """The check and its arguments from `quiz calc NAME [VALUES...] [--key value ...]`.

    Bare values fill the check's arguments in order (all of them, for a vector argument);
    `--epochs` turns `iterations` into `total_iterations`; `--flag` alone means true.
    """
    check = ALIASES.get(name, name)
    if check not in CHECKS:
        raise UsageError(f"unknown calculation '{name}'; known: {', '.join(names())}")
    options: dict[str, str] = {}
    bare: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("--") and len(word) > 2:
            key, _, value = word[2:].partition("=")
            if not value:
                following = words[index + 1] if index + 1 < len(words) else None
                if following is not None and not following.startswith("--"):
                    value, index = following, index + 1
                else:
                    value = "true"
            options[OPTION_ALIASES.get(key, key).replace("-", "_")] = value
        else:
            bare.append(word)
        index += 1
    if check == "iterations_per_epoch" and "epochs" in options:
        check = "total_iterations"
    arguments = CHECKS[check].arguments
    raw: dict[str, str] = {}
    if len(arguments) == 1 and arguments[0] in LIST_ARGUMENTS and bare:
        raw[arguments[0]] = " ".join(bare)
    else:
        if len(bare) > len(arguments):
            raise UsageError(f"{name} takes at most {len(arguments)} values "
                             f"({', '.join(arguments)}), not {len(bare)}")
        raw.update(zip(arguments, bare, strict=False))
    for key, value in options.items():
        if key not in arguments:
            raise UsageError(f"{name} has no option --{key.replace('_', '-')} "
                             f"(options: {', '.join('--' + a for a in arguments)})")
        if key in raw:
            raise UsageError(f"{key} is given twice")
        raw[key] = value
    return check, {key: _value(key, text) for key, text in raw.items()}


def _value(key: str, text: str) -> Any:
    lowered = text.strip().lower()
    if key in TEXT_ARGUMENTS:
        return lowered.replace("-", "_")
    if lowered in ("true", "yes", "false", "no"):
        return lowered in ("true", "yes")
    if lowered == "none":
        return None
    try:
        value = parse_answer(text)
    except AnswerFormatError as exc:
        raise UsageError(f"--{key.replace('_', '-')}: {exc.reason_en}") from None
    if key in LIST_ARGUMENTS:
        return value if isinstance(value, list) else [value]
    if isinstance(value, list):
        raise UsageError(f"--{key.replace('_', '-')} takes one number, not a list")
    return value
