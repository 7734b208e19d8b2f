from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import SystemClock


def test_system_clock_tells_the_city_time() -> None:
    assert SystemClock(ZoneInfo("Asia/Tokyo")).now().utcoffset() == timedelta(hours=9)
