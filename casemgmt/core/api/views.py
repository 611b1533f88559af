from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import court_list_for_user


class CourtRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    time_zone = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    role = serializers.CharField()
    courts = CourtRefSerializer(many=True)


class MeView(APIView):
    """The caller: who the token or session belongs to, their role and courts."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        user.courts_list = list(court_list_for_user(user))
        data = MeSerializer(
            {
                "username": user.username,
                "get_full_name": user.get_full_name(),
                "role": user.role,
                "courts": user.courts_list,
            }
        ).data
        return Response(data)
