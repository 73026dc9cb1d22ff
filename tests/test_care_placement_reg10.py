"""Tier 1: CPPCR 2010 reg 10 as a warning, never a block (STATUTORY.md sections 4 and 11)."""

import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtual_school.domain import care_placement_reg10
from virtual_school.domain.care_placement_reg10 import (
	Reg10Exception,
	Reg10Missing,
	Reg10Warning,
	reg10_warning,
)


def warn(**overrides):
	arguments = {
		"in_key_stage_4": True,
		"care_placement_move": True,
		"nominated_officer_approved": False,
		"designated_teacher_consulted": False,
		"iro_consulted": False,
	}
	arguments.update(overrides)
	return reg10_warning(**arguments)


def test_key_stage_4_placement_move_with_nothing_recorded_warns_of_all_three():
	warning = warn()
	assert isinstance(warning, Reg10Warning)
	assert warning.missing == (
		Reg10Missing.DESIGNATED_TEACHER_CONSULTED,
		Reg10Missing.IRO_CONSULTED,
		Reg10Missing.NOMINATED_OFFICER_APPROVAL,
	)
	assert "reg 10" in warning.message and "does not stop the search" in warning.message


def test_approval_without_the_consultations_still_warns():
	warning = warn(nominated_officer_approved=True, designated_teacher_consulted=True)
	assert warning.missing == (Reg10Missing.IRO_CONSULTED,)
	assert "independent reviewing officer" in warning.message


def test_all_steps_recorded_no_warning():
	assert (
		warn(nominated_officer_approved=True, designated_teacher_consulted=True, iro_consulted=True) is None
	)


@pytest.mark.parametrize(
	"exception", [Reg10Exception.EMERGENCY, "Placement terminated under regulation 14(3)"]
)
def test_reg_10_3_exceptions(exception):
	assert warn(exception=exception) is None


@pytest.mark.parametrize(
	"overrides",
	[{"in_key_stage_4": False}, {"care_placement_move": False}, {"disrupts_education": False}],
)
def test_outside_reg_10(overrides):
	assert warn(**overrides) is None


def test_an_unknown_exception_is_an_error():
	with pytest.raises(ValueError):
		warn(exception="Because")


def test_the_module_offers_no_way_to_refuse():
	# Reg 10 gates social care's decision, not the school place: nothing here answers "allowed".
	functions = [
		name
		for name, function in inspect.getmembers(care_placement_reg10, inspect.isfunction)
		if function.__module__ == care_placement_reg10.__name__
	]
	assert functions == ["reg10_warning"] and care_placement_reg10.__all__.count("reg10_warning") == 1
	assert not any(field in Reg10Warning.__dataclass_fields__ for field in ("allowed", "blocked"))


@settings(max_examples=200, deadline=None)
@given(
	st.booleans(),
	st.booleans(),
	st.booleans(),
	st.booleans(),
	st.booleans(),
	st.sampled_from(list(Reg10Exception)),
	st.booleans(),
)
def test_warns_exactly_when_reg_10_applies_and_a_step_is_missing(
	ks4, move, approved, dt, iro, exception, disrupts
):
	warning = reg10_warning(
		in_key_stage_4=ks4,
		care_placement_move=move,
		nominated_officer_approved=approved,
		designated_teacher_consulted=dt,
		iro_consulted=iro,
		exception=exception,
		disrupts_education=disrupts,
	)
	applies = ks4 and move and disrupts and exception is Reg10Exception.NONE
	assert (warning is not None) == (applies and not (approved and dt and iro))
	if warning is not None:
		assert len(warning.missing) == [dt, iro, approved].count(False)
