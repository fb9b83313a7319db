#!/usr/bin/env python3
"""Writes the fuzz seed corpus (corpus/decode/) from the golden packets of
tests/unit/protocol: one file per packet, named after it. Run from anywhere;
the output is checked in, rerun only when the list changes."""
import pathlib

SEEDS = {
    # MQTT 3.1
    "v31_connect": "10 12 00 06 4D 51 49 73 64 70 03 02 00 0A 00 04 76 33 31 63",
    "v31_connack": "20 02 00 02",
    # MQTT 3.1.1
    "v311_connect_will_user_pass": "10 20 00 04 4D 51 54 54 04 EE 00 3C 00 03 63 69 64 00 03 77 2F 74"
                                   " 00 03 62 79 65 00 01 75 00 02 70 77",
    "v311_connect_minimal": "10 0C 00 04 4D 51 54 54 04 02 00 00 00 00",
    "v311_connack": "20 02 01 00",
    "v311_publish_qos0": "30 07 00 03 61 2F 62 68 69",
    "v311_publish_qos1_dup_retain": "3B 08 00 01 74 00 0A 78 79 7A",
    "v311_publish_qos2": "34 05 00 01 74 FF FF",
    "v311_puback": "40 02 00 0A",
    "v311_pubrec": "50 02 00 0A",
    "v311_pubrel": "62 02 00 0A",
    "v311_pubcomp": "70 02 00 0A",
    "v311_subscribe": "82 0C 00 01 00 03 61 2F 23 01 00 01 2B 02",
    "v311_suback": "90 05 00 01 00 01 80",
    "v311_unsubscribe": "A2 07 00 02 00 03 61 2F 62",
    "v311_unsuback": "B0 02 00 02",
    "pingreq": "C0 00",
    "pingresp": "D0 00",
    "disconnect": "E0 00",
    # MQTT 5.0
    "v5_connect_props_will": "10 3A 00 04 4D 51 54 54 05 96 00 1E 0F 11 00 00 0E 10 21 00 14 26 00 01 6B"
                             " 00 01 76 00 02 63 35 0E 01 01 03 00 04 74 65 78 74 18 00 00 00 05 00 01 77"
                             " 00 02 6F 6B 00 04 75 73 65 72",
    "v5_connect_auth": "10 1E 00 04 4D 51 54 54 05 40 00 00 0D 15 00 05 53 43 52 41 4D 16 00 02 01 02"
                       " 00 00 00 02 00 FF",
    "v5_connack_props": "20 24 00 00 21 12 00 06 61 75 74 6F 2D 31 13 00 3C 21 00 0A 22 00 05 24 01 25 00"
                        " 27 00 01 00 00 28 01 29 01 2A 00",
    "v5_connack_refused": "20 03 00 87 00",
    "v5_publish_props": "32 29 00 03 61 2F 62 00 07 1C 01 01 02 00 00 00 3C 08 00 03 72 2F 31 09 00 02 C1 C2"
                        " 23 00 02 26 00 01 6B 00 01 76 68 65 6C 6C 6F",
    "v5_publish_sub_ids": "30 09 00 01 74 05 0B 01 0B 80 01",
    "v5_publish_alias": "30 07 00 00 03 23 00 01 78",
    "v5_puback_short": "40 02 00 05",
    "v5_puback_code": "40 03 00 05 10",
    "v5_puback_reason": "40 0A 00 05 87 06 1F 00 03 6E 6F 70",
    "v5_pubrec": "50 03 00 06 80",
    "v5_pubrel": "62 03 00 06 92",
    "v5_pubcomp_props": "70 0B 00 06 00 07 26 00 01 6B 00 01 76",
    "v5_subscribe": "82 0F 00 0A 02 0B 05 00 03 61 2F 2B 2D 00 01 23 12",
    "v5_suback": "90 0B 00 0A 05 1F 00 02 6F 6B 01 02 A2",
    "v5_unsubscribe": "A2 12 00 0B 07 26 00 01 6B 00 01 76 00 03 61 2F 2B 00 01 62",
    "v5_unsuback": "B0 05 00 0B 00 00 11",
    "v5_disconnect_code": "E0 01 04",
    "v5_disconnect_props": "E0 0C 9C 0A 1C 00 03 68 6F 73 1F 00 01 78",
    "v5_auth": "F0 0F 18 0D 15 00 05 53 43 52 41 4D 16 00 02 01 02",
    # Two packets in one input: the target cuts frames.
    "stream_publish_pingreq": "30 07 00 03 61 2F 62 68 69 C0 00",
}


def main() -> None:
    out = pathlib.Path(__file__).resolve().parent / "corpus" / "decode"
    out.mkdir(parents=True, exist_ok=True)
    for name, text in SEEDS.items():
        (out / name).write_bytes(bytes.fromhex(text))


if __name__ == "__main__":
    main()
