from fleet import demo
from fleet.management.commands.runall import simulator_command
from tracksolid.simulator.__main__ import build_parser


def test_simulator_command_survives_a_push_token_that_starts_with_a_dash():
    # secrets.token_urlsafe starts with "-" one time in 64; argparse read it as a flag and the
    # simulator exited with code 2, failing `make run`.
    argv = simulator_command(
        "python", port=9, devices=10, push_url="http://x/push/k", push_token="-abc_def"
    )

    args = build_parser().parse_args(argv[3:])

    assert args.push_token == "-abc_def"
    assert args.push_url == "http://x/push/k"
    assert (args.port, args.devices) == (9, 10)
    assert args.app_secret == demo.SIM_APP_SECRET
